package com.cartgateway.http;

import com.cartgateway.cart.CartException;
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
          Map.entry("internal_error", "Internal error"));

  private Problems() {}

  /** The failure handler of the router. */
  static void handle(RoutingContext ctx) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    Throwable failure = ctx.failure();
    if (failure instanceof ApiError e) {
      send(ctx, e.status, e.code, e.getMessage(), e.extras);
    } else if (failure instanceof CartException e) {
      send(ctx, status(e.reason()), code(e.reason()), e.getMessage(), e.extras());
    } else if (failure instanceof IdentityException e) {
      switch (e.kind()) {
        case UNAUTHENTICATED -> {
          ctx.response().putHeader("WWW-Authenticate", "Bearer");
          send(ctx, 401, "unauthorized", e.getMessage(), null);
        }
        case FORBIDDEN -> send(ctx, 403, "forbidden", e.getMessage(), null);
        case MALFORMED_SESSION -> send(ctx, 400, "validation_failed", e.getMessage(), null);
      }
    } else if (failure instanceof StoreUnavailableException e) {
      LOG.log(Level.WARNING, "[" + RequestIds.of(ctx) + "] " + e.getMessage());
      unavailable(ctx, "a backing service is unavailable; retry shortly");
    } else if (failure == null && CODE_OF_STATUS.containsKey(ctx.statusCode())) {
      int status = ctx.statusCode();
      if (status == 503) {
        unavailable(ctx, "the request did not finish in time; retry shortly");
      } else {
        send(ctx, status, CODE_OF_STATUS.get(status), detailOf(status, ctx), null);
      }
    } else {
      LOG.log(Level.SEVERE, "[" + RequestIds.of(ctx) + "] unexpected failure", failure);
      send(ctx, 500, "internal_error", "an unexpected error; request " + RequestIds.of(ctx), null);
    }
  }

  static void unavailable(RoutingContext ctx, String detail) {
    ctx.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
    send(ctx, 503, "unavailable", detail, null);
  }

  static void send(RoutingContext ctx, int status, String code, String detail, JsonObject extras) {
    JsonObject body =
        new JsonObject()
            .put("type", TYPE_BASE + code)
            .put("title", TITLES.getOrDefault(code, "Request refused"))
            .put("status", status)
            .put("detail", detail)
            .put("code", code)
            .put("instance", ctx.request().path());
    if (extras != null) {
      body.mergeIn(extras);
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/problem+json")
        .end(body.toBuffer());
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
    };
  }
}
