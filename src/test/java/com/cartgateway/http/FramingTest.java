package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("request framing")
class FramingTest {
  @Test
  @DisplayName("a Content-Length alone, or chunked alone in HTTP/1.1, is unambiguous")
  void plainFraming() {
    assertThat(Framing.ambiguous(List.of(), true, true)).isFalse();
    assertThat(Framing.ambiguous(List.of(), false, false)).isFalse();
    assertThat(Framing.ambiguous(List.of("chunked"), false, true)).isFalse();
    assertThat(Framing.ambiguous(List.of(" Chunked "), false, true)).isFalse();
  }

  @Test
  @DisplayName(
      "chunked with a Content-Length, another coding, several lines or HTTP/1.0 is ambiguous")
  void ambiguousFraming() {
    assertThat(Framing.ambiguous(List.of("chunked"), true, true)).isTrue();
    assertThat(Framing.ambiguous(List.of("xchunked"), false, true)).isTrue();
    assertThat(Framing.ambiguous(List.of("gzip, chunked"), false, true)).isTrue();
    assertThat(Framing.ambiguous(List.of("chunked", "chunked"), false, true)).isTrue();
    assertThat(Framing.ambiguous(List.of("chunked"), false, false)).isTrue();
  }

  @Test
  @DisplayName("a proxy's address is private, loopback, link-local or shared; a public one is not")
  void proxyAddresses() {
    for (String proxy :
        List.of(
            "10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "100.64.0.1", "::1", "fd00::1")) {
      assertThat(HttpEdge.isProxyAddress(proxy)).as(proxy).isTrue();
    }
    for (String client : List.of("203.0.113.7", "8.8.8.8", "2001:db8::1", "not-an-address")) {
      assertThat(HttpEdge.isProxyAddress(client)).as(client).isFalse();
    }
  }
}
