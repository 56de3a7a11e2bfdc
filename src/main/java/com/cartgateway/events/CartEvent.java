package com.cartgateway.events;

import com.cartgateway.commerce.CartLine;
import com.cartgateway.identity.Owner;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One record of {@code cart.events}: the full state of a cart after a change, with the version that
 * change produced, in the cart's own terms ({@link Owner}, {@link CartLine}). The producer
 * publishes {@link #toJson()} keyed by {@link #cartId()}; the worker reads it back with {@link
 * #fromJson(JsonObject)} and keeps the newest version in DynamoDB.
 *
 * <p>Fields this record does not know are not kept: extend it (and deploy workers first) before a
 * producer adds one.
 *
 * @param cartId {@code u:<user>} or {@code g:<session>}; also the record key
 * @param owner whose cart it is
 * @param version the cart's version after the change; grows with every change
 * @param updatedAt epoch millis of the change
 * @param currency the currency of the lines, or null for a cart without lines
 * @param lines the lines, possibly none (an emptied cart)
 */
public record CartEvent(
    String cartId,
    Owner owner,
    long version,
    long updatedAt,
    String currency,
    List<CartLine> lines) {

  /** Copies the lines, so that an event never changes after it was built. */
  public CartEvent {
    lines = List.copyOf(lines);
  }

  /** The record value, as published on {@code cart.events} and stored in DynamoDB. */
  public JsonObject toJson() {
    JsonArray items = new JsonArray();
    for (CartLine line : lines) {
      items.add(
          new JsonObject()
              .put("sku", line.sku())
              .put("quantity", line.quantity())
              .put("unitPrice", line.unitPrice())
              .put("addedAt", line.addedAt())
              .put("updatedAt", line.updatedAt())
              .put("held", line.held())
              .put("holdExpiresAt", line.holdExpiresAt())
              .put("variant", line.variant()));
    }
    return new JsonObject()
        .put("cartId", cartId)
        .put("owner", new JsonObject().put("type", owner.type()).put("id", owner.id()))
        .put("version", version)
        .put("updatedAt", updatedAt)
        .put("currency", currency)
        .put("lines", items);
  }

  /**
   * Reads a record value.
   *
   * @param json the value of a {@code cart.events} record
   * @return the event
   * @throws IllegalArgumentException naming the first field that is missing or of the wrong type
   */
  public static CartEvent fromJson(JsonObject json) {
    try {
      JsonObject owner = required("owner", json.getJsonObject("owner"));
      JsonArray items = required("lines", json.getJsonArray("lines"));
      List<CartLine> lines = new ArrayList<>(items.size());
      for (int i = 0; i < items.size(); i++) {
        JsonObject line = required("lines[" + i + "]", items.getJsonObject(i));
        lines.add(
            new CartLine(
                text(line, "sku"),
                Math.toIntExact(number(line, "quantity")),
                number(line, "unitPrice"),
                number(line, "addedAt"),
                number(line, "updatedAt"),
                Math.toIntExact(number(line, "held")),
                number(line, "holdExpiresAt"),
                line.getJsonObject("variant")));
      }
      return new CartEvent(
          text(json, "cartId"),
          new Owner(text(owner, "type"), text(owner, "id")),
          number(json, "version"),
          number(json, "updatedAt"),
          json.getString("currency"),
          lines);
    } catch (ClassCastException | ArithmeticException e) {
      throw new IllegalArgumentException("not a cart event: " + e.getMessage(), e);
    }
  }

  private static String text(JsonObject json, String field) {
    String value = json.getString(field);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("not a cart event: no " + field);
    }
    return value;
  }

  private static long number(JsonObject json, String field) {
    return required(field, json.getLong(field));
  }

  private static <T> T required(String field, T value) {
    if (value == null) {
      throw new IllegalArgumentException("not a cart event: no " + field);
    }
    return value;
  }
}
