package com.cartgateway.identity;

import java.util.Objects;

/**
 * Whose cart it is. A value class rather than a record so that the cart id, which every read and
 * write uses as a key several times (near cache, kept bodies, rate limits, Redis keys), is built
 * and hashed once per owner rather than per use: verified tokens hand out the same owner.
 */
public final class Owner {
  private final String type;
  private final String id;
  private final String cartId;

  /**
   * @param type {@code user} for a signed-in shopper, {@code guest} for a guest session
   * @param id the user id ({@code sub}) or the guest session id
   */
  public Owner(String type, String id) {
    this.type = Objects.requireNonNull(type, "type");
    this.id = Objects.requireNonNull(id, "id");
    this.cartId = (type.equals("user") ? "u:" : "g:") + id;
  }

  /** A signed-in shopper. */
  public static Owner user(String id) {
    return new Owner("user", id);
  }

  /** A guest session. */
  public static Owner guest(String sessionId) {
    return new Owner("guest", sessionId);
  }

  /** {@code user} for a signed-in shopper, {@code guest} for a guest session. */
  public String type() {
    return type;
  }

  /** The user id ({@code sub}) or the guest session id. */
  public String id() {
    return id;
  }

  /** The cart id: {@code u:<user>} or {@code g:<session>}. */
  public String cartId() {
    return cartId;
  }

  /**
   * The owner of a cart id.
   *
   * @throws IllegalArgumentException when the id is not {@code u:<user>} or {@code g:<session>}
   */
  public static Owner ofCartId(String cartId) {
    if (cartId.length() > 2 && cartId.startsWith("u:")) {
      return user(cartId.substring(2));
    }
    if (cartId.length() > 2 && cartId.startsWith("g:")) {
      return guest(cartId.substring(2));
    }
    throw new IllegalArgumentException("not a cart id: " + cartId);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Owner owner && type.equals(owner.type) && id.equals(owner.id);
  }

  @Override
  public int hashCode() {
    return cartId.hashCode();
  }

  @Override
  public String toString() {
    return "Owner[type=" + type + ", id=" + id + "]";
  }
}
