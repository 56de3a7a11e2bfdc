package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RequestIdsTest {
  @Test
  @DisplayName("generated request ids are UUIDs and never repeat")
  void generatedIdsAreDistinctUuids() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = RequestIds.next();
      assertThat(UUID.fromString(id).toString()).isEqualTo(id);
      assertThat(seen.add(id)).as("id %s repeated", id).isTrue();
    }
  }
}
