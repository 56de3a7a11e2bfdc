package com.cartgateway.identity;

/**
 * Whose cart it is.
 *
 * @param type {@code user} for a signed-in shopper, {@code guest} for a guest session
 * @param id the user id ({@code sub}) or the guest session id
 */
public record Owner(String type, String id) {
  /** A signed-in shopper. */
  public static Owner user(String id) {
    return new Owner("user", id);
  }

  /** A guest session. */
  public static Owner guest(String sessionId) {
    return new Owner("guest", sessionId);
  }

  /** The cart id: {@code u:<user>} or {@code g:<session>}. */
  public String cartId() {
    return (type.equals("user") ? "u:" : "g:") + id;
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
}
