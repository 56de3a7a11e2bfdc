package com.cartgateway.http;

import com.cartgateway.commerce.CartException;
import com.cartgateway.identity.IdentityException;
import com.cartgateway.store.StoreUnavailableException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place where failures become RFC 9457 problem bodies. Unexpected failures are logged with
 * the request id and answered without any internal detail.
 */
final class Problems {
  private static final Logger LOG = Logger.getLogger(Problems.class.getName());
  static final String TYPE_BASE = "https://cart-gateway.dev/problems/";
  static final String RETRY_AFTER_SECONDS = "1";
  private static final String CLOSE = "closeConnection";

  private Problems() {}

  /**
   * A problem to answer.
   *
   * @param type the row of {@link ProblemType}: status, code and title
   * @param detail a sentence for the client
   * @param extras members added to the body, or null
   */
  record Problem(ProblemType type, String detail, JsonObject extras) {}

  /** The failure handler of the router. */
  static void handle(RoutingContext ctx) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    Throwable failure = ctx.failure();
    if (failure instanceof HttpClosedException) {
      // The client hung up: nobody is left to answer, and it is no fault of ours.
      return;
    }
    Problem problem = of(failure);
    if (failure instanceof GuardedRequestDecoder.MalformedBody) {
      closeAfterAnswer(ctx);
    }
    // A bare status, or one Vert.x Web failed a request with for what the client sent (400 for a
    // missing Host): a 4xx of the table, or a 400 when the table has no row for it.
    ProblemType bare =
        failure == null || problem == null && isClientError(ctx.statusCode())
            ? ofStatus(ctx.statusCode())
            : null;
    if (bare != null) {
      problem = new Problem(bare, detailOf(bare.status, ctx), null);
    }
    if (problem == null) {
      AccessLog.withIds(
          ctx,
          () -> LOG.log(Level.SEVERE, "[" + RequestIds.of(ctx) + "] unexpected failure", failure));
      problem =
          new Problem(
              ProblemType.INTERNAL_ERROR,
              "an unexpected error; request " + RequestIds.of(ctx),
              null);
    } else if (failure instanceof StoreUnavailableException e) {
      AccessLog.withIds(
          ctx, () -> LOG.log(Level.WARNING, "[" + RequestIds.of(ctx) + "] " + e.getMessage()));
    }
    send(ctx, problem);
  }

  private static boolean isClientError(int status) {
    return status >= 400 && status < 500;
  }

  /** The row of a bare status; a client error without a row of its own is a 400. */
  private static ProblemType ofStatus(int status) {
    ProblemType type = ProblemType.ofBareStatus(status);
    return type == null && isClientError(status) ? ProblemType.INVALID_REQUEST : type;
  }

  /**
   * Has the connection close once the answer is sent: after a request whose framing or pace leaves
   * what follows on the connection unknown.
   */
  static void closeAfterAnswer(RoutingContext ctx) {
    ctx.put(CLOSE, true);
  }

  /** The problem a known failure answers, or null for an unexpected one. */
  static Problem of(Throwable failure) {
    if (failure instanceof ApiError e) {
      return new Problem(e.type, e.getMessage(), e.extras);
    } else if (failure instanceof CartException e) {
      return new Problem(type(e.reason()), e.getMessage(), e.extras());
    } else if (failure instanceof IdentityException e) {
      ProblemType type =
          switch (e.kind()) {
            case UNAUTHENTICATED -> ProblemType.UNAUTHORIZED;
            case FORBIDDEN -> ProblemType.FORBIDDEN;
            case MALFORMED_SESSION -> ProblemType.INVALID_REQUEST;
          };
      return new Problem(type, e.getMessage(), null);
    } else if (failure instanceof StoreUnavailableException) {
      return new Problem(
          ProblemType.UNAVAILABLE, "a backing service is unavailable; retry shortly", null);
    } else if (failure instanceof GuardedRequestDecoder.MalformedBody e) {
      return new Problem(ProblemType.INVALID_REQUEST, e.getMessage(), null);
    }
    return null;
  }

  /** The body of a problem. */
  static JsonObject body(RoutingContext ctx, Problem problem) {
    return body(ctx.request().path(), problem);
  }

  private static JsonObject body(String instance, Problem problem) {
    JsonObject body =
        new JsonObject()
            .put("type", TYPE_BASE + problem.type().code)
            .put("title", problem.type().title)
            .put("status", problem.type().status)
            .put("detail", problem.detail())
            .put("code", problem.type().code)
            .put("instance", instance);
    if (problem.extras() != null) {
      body.mergeIn(problem.extras());
    }
    return body;
  }

  /** Answers a problem, with the headers its status calls for. */
  static void send(RoutingContext ctx, Problem problem) {
    int status = problem.type().status;
    if (status == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
    }
    if (status == 429) {
      ctx.response()
          .putHeader("Retry-After", String.valueOf(problem.extras().getLong("retryAfterSeconds")));
    } else if (status == 503 || problem.type() == ProblemType.REQUEST_IN_PROGRESS) {
      ctx.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
    }
    boolean close = Boolean.TRUE.equals(ctx.get(CLOSE));
    if (close) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/problem+json")
        .end(body(ctx, problem).toBuffer());
    if (close) {
      // At once, not once the answer is written: Vert.x would wait for the rest of the body, which
      // may never come, and after a body it cannot decode it closes the connection itself,
      // dropping an answer not yet flushed. Its close flushes the answer first.
      ctx.request().connection().close();
    }
  }

  /**
   * Answers a request that Netty could not decode (a request line or header too long, or not HTTP
   * at all), which no router sees; Vert.x closes the connection after the answer.
   */
  static void invalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    Problem problem =
        cause instanceof TooLongHttpLineException
            ? new Problem(ProblemType.URI_TOO_LONG, "the request line is too long", null)
            : cause instanceof TooLongHttpHeaderException
                ? new Problem(ProblemType.HEADERS_TOO_LARGE, "the request head is too large", null)
                : new Problem(ProblemType.INVALID_REQUEST, "the request is not valid HTTP", null);
    answer(request, problem);
  }

  /**
   * Answers a problem to a request that no router serves, with the headers every response carries.
   */
  static void answer(HttpServerRequest request, Problem problem) {
    if (problem.type().status == 503) {
      request.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
    }
    request
        .response()
        .setStatusCode(problem.type().status)
        .putHeader(RequestIds.HEADER, RequestIds.next())
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Content-Type", "application/problem+json")
        .end(body(request.path() == null ? "/" : request.path(), problem).toBuffer());
  }

  private static String detailOf(int status, RoutingContext ctx) {
    return switch (status) {
      case 404 -> "no resource at " + ctx.request().path();
      case 405 -> ctx.request().method() + " is not allowed on " + ctx.request().path();
      case 413 -> "the body is larger than the limit";
      case 415 -> "send the body as application/json";
      case 401 -> "authentication is required";
      case 408 -> "the request did not arrive within its deadline";
      case 503 -> "the request did not finish in time; retry shortly";
      default -> "the request is not valid";
    };
  }

  private static ProblemType type(CartException.Reason reason) {
    return switch (reason) {
      case VALIDATION_FAILED -> ProblemType.INVALID_CHANGE;
      case UNKNOWN_SKU -> ProblemType.UNKNOWN_SKU;
      case LINE_NOT_FOUND -> ProblemType.LINE_NOT_FOUND;
      case OUT_OF_STOCK -> ProblemType.OUT_OF_STOCK;
      case CART_FULL -> ProblemType.CART_FULL;
      case VERSION_CONFLICT -> ProblemType.VERSION_CONFLICT;
      case PRICE_CHANGED -> ProblemType.PRICE_CHANGED;
      case IN_PROGRESS -> ProblemType.REQUEST_IN_PROGRESS;
      case IDEMPOTENCY_KEY_REUSED -> ProblemType.IDEMPOTENCY_KEY_REUSED;
    };
  }
}
