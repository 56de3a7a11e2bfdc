package com.cartgateway.http;

import com.cartgateway.commerce.CartException;
import com.cartgateway.identity.IdentityException;
import com.cartgateway.store.StoreUnavailableException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
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

  private static final Map<Integer, String> CODE_OF_STATUS =
      Map.of(
          400, "validation_failed",
          401, "unauthorized",
          403, "forbidden",
          404, "not_found",
          405, "method_not_allowed",
          413, "payload_too_large",
          415, "unsupported_media_type",
          503, "unavailable");

  private static final Map<String, String> TITLES =
      Map.ofEntries(
          Map.entry("validation_failed", "The request is not valid"),
          Map.entry("unauthorized", "Authentication is required"),
          Map.entry("forbidden", "Not allowed"),
          Map.entry("not_found", "No such resource"),
          Map.entry("method_not_allowed", "Method not allowed"),
          Map.entry("line_not_found", "No such cart line"),
          Map.entry("unknown_sku", "Unknown SKU"),
          Map.entry("out_of_stock", "Not enough stock"),
          Map.entry("cart_full", "The cart is full"),
          Map.entry("version_conflict", "The cart has changed"),
          Map.entry("payload_too_large", "The body is too large"),
          Map.entry("unsupported_media_type", "The body must be JSON"),
          Map.entry("unavailable", "Temporarily unavailable"),
          Map.entry("not_ready", "Not ready for traffic"),
          Map.entry("price_changed", "Prices changed"),
          Map.entry("request_in_progress", "A request for this cart is in progress"),
          Map.entry("idempotency_key_reused", "The idempotency key was used for another request"),
          Map.entry("rate_limited", "Too many requests"),
          Map.entry("internal_error", "Internal error"));

  private Problems() {}

  /**
   * A problem to answer.
   *
   * @param status the HTTP status
   * @param code the machine-readable code
   * @param detail a sentence for the client
   * @param extras members added to the body, or null
   */
  record Problem(int status, String code, String detail, JsonObject extras) {}

  /** The failure handler of the router. */
  static void handle(RoutingContext ctx) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    Throwable failure = ctx.failure();
    Problem problem = of(failure);
    if (problem == null && failure == null && CODE_OF_STATUS.containsKey(ctx.statusCode())) {
      int status = ctx.statusCode();
      problem =
          status == 503
              ? new Problem(
                  503, "unavailable", "the request did not finish in time; retry shortly", null)
              : new Problem(status, CODE_OF_STATUS.get(status), detailOf(status, ctx), null);
    }
    if (problem == null) {
      AccessLog.withIds(
          ctx,
          () -> LOG.log(Level.SEVERE, "[" + RequestIds.of(ctx) + "] unexpected failure", failure));
      problem =
          new Problem(
              500, "internal_error", "an unexpected error; request " + RequestIds.of(ctx), null);
    } else if (failure instanceof StoreUnavailableException e) {
      AccessLog.withIds(
          ctx, () -> LOG.log(Level.WARNING, "[" + RequestIds.of(ctx) + "] " + e.getMessage()));
    }
    send(ctx, problem);
  }

  /** The problem a known failure answers, or null for an unexpected one. */
  static Problem of(Throwable failure) {
    if (failure instanceof ApiError e) {
      return new Problem(e.status, e.code, e.getMessage(), e.extras);
    } else if (failure instanceof CartException e) {
      return new Problem(status(e.reason()), code(e.reason()), e.getMessage(), e.extras());
    } else if (failure instanceof IdentityException e) {
      return switch (e.kind()) {
        case UNAUTHENTICATED -> new Problem(401, "unauthorized", e.getMessage(), null);
        case FORBIDDEN -> new Problem(403, "forbidden", e.getMessage(), null);
        case MALFORMED_SESSION -> new Problem(400, "validation_failed", e.getMessage(), null);
      };
    } else if (failure instanceof StoreUnavailableException) {
      return new Problem(
          503, "unavailable", "a backing service is unavailable; retry shortly", null);
    }
    return null;
  }

  /** The body of a problem. */
  static JsonObject body(RoutingContext ctx, Problem problem) {
    JsonObject body =
        new JsonObject()
            .put("type", TYPE_BASE + problem.code())
            .put("title", TITLES.getOrDefault(problem.code(), "Request refused"))
            .put("status", problem.status())
            .put("detail", problem.detail())
            .put("code", problem.code())
            .put("instance", ctx.request().path());
    if (problem.extras() != null) {
      body.mergeIn(problem.extras());
    }
    return body;
  }

  /** Answers a problem, with the headers its status calls for. */
  static void send(RoutingContext ctx, Problem problem) {
    if (problem.status() == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
    }
    if (problem.status() == 429) {
      ctx.response()
          .putHeader("Retry-After", String.valueOf(problem.extras().getLong("retryAfterSeconds")));
    } else if (problem.status() == 503 || problem.code().equals("request_in_progress")) {
      ctx.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
    }
    ctx.response()
        .setStatusCode(problem.status())
        .putHeader("Content-Type", "application/problem+json")
        .end(body(ctx, problem).toBuffer());
  }

  private static String detailOf(int status, RoutingContext ctx) {
    return switch (status) {
      case 404 -> "no resource at " + ctx.request().path();
      case 405 -> ctx.request().method() + " is not allowed on " + ctx.request().path();
      case 413 -> "the body is larger than the limit";
      case 415 -> "send the body as application/json";
      case 401 -> "authentication is required";
      default -> "the request is not valid";
    };
  }

  private static int status(CartException.Reason reason) {
    return switch (reason) {
      case VALIDATION_FAILED -> 422;
      case UNKNOWN_SKU, LINE_NOT_FOUND -> 404;
      case OUT_OF_STOCK -> 409;
      case CART_FULL -> 422;
      case VERSION_CONFLICT -> 412;
      case PRICE_CHANGED, IN_PROGRESS -> 409;
      case IDEMPOTENCY_KEY_REUSED -> 422;
    };
  }

  private static String code(CartException.Reason reason) {
    return switch (reason) {
      case VALIDATION_FAILED -> "validation_failed";
      case UNKNOWN_SKU -> "unknown_sku";
      case LINE_NOT_FOUND -> "line_not_found";
      case OUT_OF_STOCK -> "out_of_stock";
      case CART_FULL -> "cart_full";
      case VERSION_CONFLICT -> "version_conflict";
      case PRICE_CHANGED -> "price_changed";
      case IN_PROGRESS -> "request_in_progress";
      case IDEMPOTENCY_KEY_REUSED -> "idempotency_key_reused";
    };
  }
}
