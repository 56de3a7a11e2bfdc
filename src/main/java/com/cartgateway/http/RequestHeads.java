package com.cartgateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * What every request head must be before any route sees it: framing no proxy in front can read
 * otherwise ({@link Framing}), no expectation but {@code 100-continue}, and a path whose
 * percent-encoding decodes.
 */
final class RequestHeads {
  private static final String CONTINUE = "100-continue";

  private RequestHeads() {}

  /**
   * The problem a request's head answers, or null when its routes may serve it. A request with
   * ambiguous framing also has its connection closed after the answer.
   */
  static Problems.Problem refusal(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (Framing.ambiguous(
        request.headers().getAll(HttpHeaders.TRANSFER_ENCODING),
        request.headers().contains(HttpHeaders.CONTENT_LENGTH),
        request.version() == HttpVersion.HTTP_1_1)) {
      Problems.closeAfterAnswer(ctx);
      return new Problems.Problem(
          ProblemType.INVALID_REQUEST,
          "Transfer-Encoding must be chunked alone, in HTTP/1.1, without Content-Length",
          null);
    }
    String expect = request.getHeader(HttpHeaders.EXPECT);
    if (expect != null && !expect.trim().equalsIgnoreCase(CONTINUE)) {
      return new Problems.Problem(
          ProblemType.EXPECTATION_FAILED, "the only expectation met is 100-continue", null);
    }
    try {
      ctx.normalizedPath();
    } catch (IllegalArgumentException e) {
      return new Problems.Problem(
          ProblemType.INVALID_REQUEST, "the path has an invalid percent-encoding", null);
    }
    return null;
  }
}
