package com.cartgateway.inventory;

/**
 * How many units of one SKU a hold may reach: the cart's cap, and for a hold a client asked for,
 * the cap on what all of that client's carts hold together, so that many sessions from one client
 * cannot hold a scarce SKU between them.
 *
 * @param perCart the most units one cart holds
 * @param client the client's IP literal, or null for a hold no client asked for (a release, a
 *     checkout, a restore)
 * @param perClient the most units the client's carts hold together (0: no such cap)
 */
public record HoldLimit(int perCart, String client, int perClient) {

  /** A cart's cap alone. */
  public static HoldLimit cart(int perCart) {
    return new HoldLimit(perCart, null, 0);
  }

  /** Whether the client's carts are counted together. */
  boolean countsClient() {
    return client != null && perClient > 0;
  }
}
