package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.commerce.CartException.Reason;
import com.cartgateway.commerce.CartLine;
import com.cartgateway.commerce.Money;
import com.cartgateway.identity.Owner;
import com.cartgateway.inventory.Price;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The rules of an order, apart from where its cart and stock live: its id, its lines at the
 * catalog's prices (or the refusal naming what changed), the body a placed order answers with, and
 * the refusals of a checkout.
 */
final class Orders {
  private Orders() {}

  /** The order id of a checkout: the same key gives the same order. */
  static String id(Owner owner, String idempotencyKey) {
    return UUID.nameUUIDFromBytes(
            (owner.cartId() + "|" + idempotencyKey).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /** The order at current prices, or a refusal naming the lines whose price changed. */
  static Future<JsonObject> priced(
      Cart cart, Map<String, Optional<Price>> prices, boolean acceptPriceChanges) {
    JsonArray changes = new JsonArray();
    JsonArray gone = new JsonArray();
    JsonArray items = new JsonArray();
    long subtotal = 0;
    for (CartLine line : cart.lines()) {
      Optional<Price> now = prices.get(line.sku());
      if (now.isEmpty() || !now.get().currency().equals(cart.currency())) {
        gone.add(shortLine(line, 0L));
        continue;
      }
      long price = now.get().minorUnits();
      if (price != line.unitPrice()) {
        changes.add(
            new JsonObject()
                .put("sku", line.sku())
                .put("unitPrice", Money.format(line.unitPrice(), cart.currency()))
                .put("currentPrice", Money.format(price, cart.currency())));
      }
      subtotal = Money.plusLine(subtotal, price, line.quantity());
      items.add(
          new JsonObject()
              .put("sku", line.sku())
              .put("quantity", line.quantity())
              .put("unitPrice", Money.format(price, cart.currency()))
              .put("variant", line.variant()));
    }
    if (!gone.isEmpty()) {
      return Future.failedFuture(outOfStock(gone));
    }
    if (!changes.isEmpty() && !acceptPriceChanges) {
      return Future.failedFuture(
          new CartException(
              Reason.PRICE_CHANGED,
              "prices changed since the lines were added; confirm with acceptPriceChanges",
              new JsonObject().put("changes", changes)));
    }
    return Future.succeededFuture(
        new JsonObject()
            .put("cartId", cart.owner().cartId())
            .put("items", items)
            .put("subtotal", Money.format(subtotal, cart.currency()))
            .put("currency", cart.currency()));
  }

  /** The body of a placed order: the priced order with its id, owner and time. */
  static JsonObject placed(JsonObject order, String orderId, Owner owner, long now) {
    return order
        .copy()
        .put("orderId", orderId)
        .put("owner", new JsonObject().put("type", owner.type()).put("id", owner.id()))
        .put("createdAt", Instant.ofEpochMilli(now).toString());
  }

  /** The SKUs of a kept order. */
  static List<String> skusOf(String order) {
    JsonArray items = new JsonObject(order).getJsonArray("items");
    List<String> skus = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      skus.add(items.getJsonObject(i).getString("sku"));
    }
    return skus;
  }

  /** A line stock cannot cover, as a refusal names it. */
  static JsonObject shortLine(CartLine line, Long available) {
    return new JsonObject()
        .put("sku", line.sku())
        .put("requested", line.quantity())
        .put("available", available);
  }

  /** The refusal of lines stock cannot cover ({@link #shortLine} each). */
  static CartException outOfStock(JsonArray lines) {
    return new CartException(
        Reason.OUT_OF_STOCK,
        "not enough stock for " + lines.size() + " line(s)",
        new JsonObject()
            .put("skus", lines)
            .put("available", lines.getJsonObject(0).getLong("available")));
  }

  static CartException empty() {
    return new CartException(Reason.VALIDATION_FAILED, "the cart is empty");
  }

  /** A checkout that gave up after the cart or a hold kept moving. */
  static CartException interrupted(String why) {
    return new CartException(Reason.IN_PROGRESS, why + " during checkout; retry");
  }
}
