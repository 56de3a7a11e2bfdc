package com.cartgateway.http;

import java.util.List;
import java.util.Locale;

/**
 * Whether a request's body framing is one that a proxy in front may read differently from this
 * server, the ground of request smuggling (RFC 9112, 6.1 and 6.3): a {@code Transfer-Encoding}
 * together with a {@code Content-Length}, a transfer coding other than {@code chunked} alone, or a
 * {@code Transfer-Encoding} in an HTTP/1.0 request. Such a request is refused and its connection
 * closed.
 */
final class Framing {
  private Framing() {}

  /**
   * @param transferEncodings every {@code Transfer-Encoding} line of the request
   * @param contentLength whether it has a {@code Content-Length}
   * @param http11 whether it is an HTTP/1.1 request
   * @return whether its framing is ambiguous
   */
  static boolean ambiguous(List<String> transferEncodings, boolean contentLength, boolean http11) {
    if (transferEncodings.isEmpty()) {
      return false;
    }
    return contentLength
        || !http11
        || transferEncodings.size() != 1
        || !transferEncodings.get(0).trim().toLowerCase(Locale.ROOT).equals("chunked");
  }
}
