package com.cartgateway.http;

import com.cartgateway.deadline.Deadlines;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

/**
 * Fails a request that has not answered within its deadline, as Vert.x Web's {@code TimeoutHandler}
 * does, but on the verticle's {@link Deadlines} instead of a timer per request: with 503 (the
 * failure handler adds {@code Retry-After}) when the gateway was too slow, with 408 and the
 * connection closed when the client had not yet sent its whole body.
 */
final class RequestDeadline implements PlatformHandler {
  private final Deadlines deadlines;

  RequestDeadline(Deadlines deadlines) {
    this.deadlines = deadlines;
  }

  @Override
  public void handle(RoutingContext ctx) {
    // First handler of every API route: a failure handler later no longer knows which one matched.
    AccessLog.route(ctx);
    Deadlines.Deadline deadline =
        deadlines.start(
            () -> {
              if (ctx.response().ended()) {
                return;
              }
              if (ctx.request().isEnded()) {
                ctx.fail(503);
              } else {
                Problems.closeAfterAnswer(ctx);
                ctx.fail(408);
              }
            });
    ctx.addBodyEndHandler(ended -> deadline.cancel());
    ctx.next();
  }
}
