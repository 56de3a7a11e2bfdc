package com.cartgateway.http;

import java.util.HashMap;
import java.util.Map;

/**
 * Every problem the API answers, one row each: its HTTP status, its code (the last segment of its
 * type URI, which clients branch on) and its title. One code has two rows where two statuses answer
 * it: {@code validation_failed} is 400 for a request the HTTP layer refuses and 422 for a change
 * the cart's rules refuse.
 */
enum ProblemType {
  INVALID_REQUEST(400, "validation_failed", "The request is not valid", Bare.YES),
  UNAUTHORIZED(401, "unauthorized", "Authentication is required", Bare.YES),
  FORBIDDEN(403, "forbidden", "Not allowed", Bare.YES),
  NOT_FOUND(404, "not_found", "No such resource", Bare.YES),
  METHOD_NOT_ALLOWED(405, "method_not_allowed", "Method not allowed", Bare.YES),
  REQUEST_TIMEOUT(408, "request_timeout", "The request did not arrive in time", Bare.YES),
  PAYLOAD_TOO_LARGE(413, "payload_too_large", "The body is too large", Bare.YES),
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type", "The body must be JSON", Bare.YES),
  UNAVAILABLE(503, "unavailable", "Temporarily unavailable", Bare.YES),
  URI_TOO_LONG(414, "uri_too_long", "The request line is too long", Bare.NO),
  EXPECTATION_FAILED(417, "expectation_failed", "The expectation is not supported", Bare.NO),
  HEADERS_TOO_LARGE(431, "headers_too_large", "The request headers are too large", Bare.NO),
  INVALID_CHANGE(422, "validation_failed", "The request is not valid", Bare.NO),
  UNKNOWN_SKU(404, "unknown_sku", "Unknown SKU", Bare.NO),
  LINE_NOT_FOUND(404, "line_not_found", "No such cart line", Bare.NO),
  OUT_OF_STOCK(409, "out_of_stock", "Not enough stock", Bare.NO),
  CART_FULL(422, "cart_full", "The cart is full", Bare.NO),
  VERSION_CONFLICT(412, "version_conflict", "The cart has changed", Bare.NO),
  PRICE_CHANGED(409, "price_changed", "Prices changed", Bare.NO),
  REQUEST_IN_PROGRESS(
      409, "request_in_progress", "A request for this cart is in progress", Bare.NO),
  IDEMPOTENCY_KEY_REUSED(
      422, "idempotency_key_reused", "The idempotency key was used for another request", Bare.NO),
  RATE_LIMITED(429, "rate_limited", "Too many requests", Bare.NO),
  NOT_READY(503, "not_ready", "Not ready for traffic", Bare.NO),
  INTERNAL_ERROR(500, "internal_error", "Internal error", Bare.NO);

  /**
   * Whether the row answers a bare status, one that Vert.x Web (no route, a body too large) or a
   * handler ({@code ctx.fail(415)}) fails a request with; any other bare status is unexpected.
   */
  private enum Bare {
    YES,
    NO
  }

  private static final Map<Integer, ProblemType> OF_BARE_STATUS = new HashMap<>();

  static {
    for (ProblemType type : values()) {
      if (type.bare == Bare.YES) {
        OF_BARE_STATUS.put(type.status, type);
      }
    }
  }

  final int status;
  final String code;
  final String title;
  private final Bare bare;

  ProblemType(int status, String code, String title, Bare bare) {
    this.status = status;
    this.code = code;
    this.title = title;
    this.bare = bare;
  }

  /** The row that answers a request failed with this bare status, or null when none does. */
  static ProblemType ofBareStatus(int status) {
    return OF_BARE_STATUS.get(status);
  }
}
