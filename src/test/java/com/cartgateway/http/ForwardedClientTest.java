package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the client address comes from the X-Forwarded-For entry our proxies wrote")
class ForwardedClientTest {

  @Test
  @DisplayName("with no trusted proxy the header is never read")
  void noTrustedProxy() {
    assertThat(Requests.forwardedClient(List.of("198.51.100.1"), 0)).isNull();
  }

  @Test
  @DisplayName("the entry as many places from the right as there are trusted proxies")
  void countsFromTheRight() {
    List<String> header = List.of("203.0.113.9, 198.51.100.1, 192.0.2.10");
    assertThat(Requests.forwardedClient(header, 1)).isEqualTo("192.0.2.10");
    assertThat(Requests.forwardedClient(header, 2)).isEqualTo("198.51.100.1");
    assertThat(Requests.forwardedClient(header, 3)).isEqualTo("203.0.113.9");
  }

  @Test
  @DisplayName("several header lines are one list, in order")
  void severalLines() {
    assertThat(Requests.forwardedClient(List.of("203.0.113.9", "198.51.100.1"), 1))
        .isEqualTo("198.51.100.1");
    assertThat(Requests.forwardedClient(List.of("203.0.113.9", "198.51.100.1"), 2))
        .isEqualTo("203.0.113.9");
  }

  @Test
  @DisplayName("fewer entries than trusted proxies fall back to the connection's address")
  void tooFewEntries() {
    assertThat(Requests.forwardedClient(List.of("198.51.100.1"), 2)).isNull();
    assertThat(Requests.forwardedClient(List.of(), 1)).isNull();
  }

  @Test
  @DisplayName("ports and brackets are dropped; anything but an IP literal falls back")
  void literalsOnly() {
    assertThat(Requests.forwardedClient(List.of("198.51.100.1:4711"), 1)).isEqualTo("198.51.100.1");
    assertThat(Requests.forwardedClient(List.of("[2001:db8::1]:443"), 1)).isEqualTo("2001:db8::1");
    assertThat(Requests.forwardedClient(List.of("2001:db8::1"), 1)).isEqualTo("2001:db8::1");
    assertThat(Requests.forwardedClient(List.of("unknown"), 1)).isNull();
    assertThat(Requests.forwardedClient(List.of("198.51.100.1, "), 1)).isNull();
    assertThat(Requests.forwardedClient(List.of("shop.example"), 1)).isNull();
  }
}
