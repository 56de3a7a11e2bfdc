package com.cartgateway.commerce;

import io.vertx.core.json.JsonObject;

/** A cart operation, or a change to the catalog, refused by a rule; nothing was changed. */
public final class CartException extends RuntimeException {
  /** Why an operation was refused. */
  public enum Reason {
    /** The request is malformed or breaks a limit. */
    VALIDATION_FAILED,
    /** The SKU is not in the catalog. */
    UNKNOWN_SKU,
    /** The cart has no line for the SKU. */
    LINE_NOT_FOUND,
    /** Not enough units available to hold. */
    OUT_OF_STOCK,
    /** The cart already has the most lines allowed. */
    CART_FULL,
    /** The If-Match version is not the cart's version. */
    VERSION_CONFLICT,
    /** A line's price changed since it was added, and the shopper did not accept it. */
    PRICE_CHANGED,
    /** Another checkout of the same cart, or a request with the same idempotency key, runs now. */
    IN_PROGRESS,
    /** The idempotency key was used before with another request. */
    IDEMPOTENCY_KEY_REUSED
  }

  private final Reason reason;
  private final JsonObject extras;

  /**
   * @param reason the rule that refused the operation
   * @param detail a sentence for the client
   * @param extras members added to the problem body (for example {@code available})
   */
  public CartException(Reason reason, String detail, JsonObject extras) {
    super(detail, null, false, false);
    this.reason = reason;
    this.extras = extras;
  }

  /** A refusal with no extra members. */
  public CartException(Reason reason, String detail) {
    this(reason, detail, new JsonObject());
  }

  /** An If-Match that names another version than the cart's. */
  public static CartException versionConflict(long currentVersion) {
    return new CartException(
        Reason.VERSION_CONFLICT,
        "the cart is at version " + currentVersion,
        new JsonObject().put("currentVersion", currentVersion));
  }

  /** The rule that refused the operation. */
  public Reason reason() {
    return reason;
  }

  /** Members added to the problem body. */
  public JsonObject extras() {
    return extras;
  }
}
