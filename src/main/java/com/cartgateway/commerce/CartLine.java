package com.cartgateway.commerce;

import io.vertx.core.json.JsonObject;

/**
 * One line of a cart, as Redis stores it and {@code cart.events} carries it: what ties a cart to a
 * SKU's price and stock.
 *
 * @param sku the SKU
 * @param quantity units in the cart
 * @param unitPrice minor units, captured when the units were added
 * @param addedAt epoch millis of the first add
 * @param updatedAt epoch millis of the last change
 * @param held units soft-reserved for this line
 * @param holdExpiresAt epoch millis when the hold lapses (0 when nothing is held)
 * @param variant the client's variant object, or null
 */
public record CartLine(
    String sku,
    int quantity,
    long unitPrice,
    long addedAt,
    long updatedAt,
    int held,
    long holdExpiresAt,
    JsonObject variant) {

  /** Parses the stored form {@code quantity,unitPrice,addedAt,updatedAt,held,holdExpiresAt}. */
  public static CartLine parse(String sku, String stored, String variantJson) {
    String[] f = stored.split(",");
    return new CartLine(
        sku,
        Integer.parseInt(f[0]),
        Long.parseLong(f[1]),
        Long.parseLong(f[2]),
        Long.parseLong(f[3]),
        Integer.parseInt(f[4]),
        Long.parseLong(f[5]),
        variantJson == null ? null : new JsonObject(variantJson));
  }

  /** Whether units are still held at the given time. */
  public boolean heldAt(long nowMillis) {
    return held > 0 && holdExpiresAt > nowMillis;
  }
}
