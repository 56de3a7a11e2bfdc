package com.cartgateway.events;

import io.vertx.core.json.JsonObject;

/**
 * The durable part of a SKU, as {@code catalog.events} carries it and the catalog table keeps it:
 * what a Redis that lost everything needs to count stock again. Holds are not in it: they live in
 * the carts, and come back with them.
 *
 * @param sku the SKU
 * @param version bumped by every change of price, stock or sales
 * @param price the price in minor units
 * @param currency ISO 4217 code
 * @param stock units on hand when the stock was last set
 * @param sold units sold since then
 * @param updatedAt epoch millis of the change
 */
public record SkuState(
    String sku, long version, long price, String currency, long stock, long sold, long updatedAt) {

  /** The record value on {@code catalog.events}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("sku", sku)
        .put("version", version)
        .put("price", price)
        .put("currency", currency)
        .put("stock", stock)
        .put("sold", sold)
        .put("updatedAt", updatedAt);
  }

  /**
   * Reads a record value.
   *
   * @throws IllegalArgumentException naming the first field that is missing or of the wrong type
   */
  public static SkuState fromJson(JsonObject json) {
    try {
      return new SkuState(
          text(json, "sku"),
          number(json, "version"),
          number(json, "price"),
          text(json, "currency"),
          number(json, "stock"),
          number(json, "sold"),
          number(json, "updatedAt"));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("not a SKU state: " + e.getMessage(), e);
    }
  }

  private static String text(JsonObject json, String field) {
    String value = json.getString(field);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("not a SKU state: no " + field);
    }
    return value;
  }

  private static long number(JsonObject json, String field) {
    Long value = json.getLong(field);
    if (value == null) {
      throw new IllegalArgumentException("not a SKU state: no " + field);
    }
    return value;
  }
}
