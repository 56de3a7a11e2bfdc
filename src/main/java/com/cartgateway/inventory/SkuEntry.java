package com.cartgateway.inventory;

import com.cartgateway.commerce.Money;
import io.vertx.core.json.JsonObject;

/**
 * A catalog entry with its stock counters; available + reserved + sold = stock.
 *
 * @param sku the SKU
 * @param price the current price in minor units
 * @param currency ISO 4217 code
 * @param stock units on hand when the stock was last set
 * @param available units that may be held now
 * @param reserved units held by carts
 * @param sold units sold since the stock was last set
 */
public record SkuEntry(
    String sku, long price, String currency, long stock, long available, long reserved, long sold) {

  /** The body of {@code GET /v1/skus/{sku}}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("sku", sku)
        .put("price", Money.format(price, currency))
        .put("currency", currency)
        .put("available", available)
        .put("reserved", reserved)
        .put("sold", sold)
        .put("stock", stock);
  }
}
