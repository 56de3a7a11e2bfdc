package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("log pseudonyms")
class PseudonymsTest {
  private static final String SECRET = "a-secret-of-at-least-32-bytes-0123456789";

  @Test
  @DisplayName("the same id gets the same pseudonym, another id or another key a different one")
  void keyed() {
    Pseudonyms pseudonyms = new Pseudonyms(SECRET);

    assertThat(pseudonyms.of("shopper-1"))
        .matches("[0-9a-f]{24}")
        .isEqualTo(new Pseudonyms(SECRET).of("shopper-1"))
        .isNotEqualTo(pseudonyms.of("shopper-2"))
        .isNotEqualTo(new Pseudonyms(SECRET + "x").of("shopper-1"))
        .doesNotContain("shopper");
  }
}
