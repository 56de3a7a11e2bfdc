package com.cartgateway.cart;

import com.cartgateway.commerce.CartLine;
import com.cartgateway.commerce.Money;
import com.cartgateway.inventory.Price;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Renders a cart as its clients see it, compared with the catalog's current prices. */
public final class CartView {
  private CartView() {}

  /**
   * The cart body of the contract.
   *
   * @param cart the stored cart
   * @param currentPrices the catalog's price of each line's SKU (empty: no longer sold)
   * @param nowMillis the time holds are judged at
   */
  public static JsonObject render(
      Cart cart, Map<String, Optional<Price>> currentPrices, long nowMillis) {
    JsonArray items = new JsonArray();
    JsonArray warnings = new JsonArray();
    long subtotal = 0;
    long totalItems = 0;
    for (CartLine line : cart.lines()) {
      String currency = cart.currency();
      Optional<Price> current = currentPrices.getOrDefault(line.sku(), Optional.empty());
      boolean changed =
          current.isPresent()
              && (current.get().minorUnits() != line.unitPrice()
                  || !current.get().currency().equals(currency));
      boolean held = line.heldAt(nowMillis);
      items.add(
          new JsonObject()
              .put("sku", line.sku())
              .put("quantity", line.quantity())
              .put("unitPrice", Money.format(line.unitPrice(), currency))
              .put(
                  "currentPrice",
                  current.map(p -> Money.format(p.minorUnits(), p.currency())).orElse(null))
              .put("priceChanged", changed)
              .put("variant", line.variant())
              .put(
                  "reservation",
                  held
                      ? new JsonObject()
                          .put("quantity", line.held())
                          .put("expiresAt", iso(line.holdExpiresAt()))
                      : null)
              .put("addedAt", iso(line.addedAt()))
              .put("updatedAt", iso(line.updatedAt())));
      if (current.isEmpty()) {
        warnings.add(warning("sku_unavailable", line.sku(), line.sku() + " is no longer sold"));
      } else if (changed) {
        warnings.add(
            warning(
                "price_changed",
                line.sku(),
                Money.format(line.unitPrice(), currency)
                    + " when added, "
                    + Money.format(current.get().minorUnits(), current.get().currency())
                    + " now"));
      }
      if (held && line.held() < line.quantity()) {
        warnings.add(
            warning(
                "hold_capped",
                line.sku(),
                "holding "
                    + line.held()
                    + " of "
                    + line.quantity()
                    + " units; the rest is reserved at checkout if stock allows"));
      }
      if (!held) {
        warnings.add(
            warning(
                "hold_expired",
                line.sku(),
                "no units are held for this line (the hold lapsed, or stock ran short);"
                    + " checkout reserves them if stock allows"));
      }
      subtotal = Money.plusLine(subtotal, line.unitPrice(), line.quantity());
      totalItems += line.quantity();
    }
    return new JsonObject()
        .put("cartId", cart.owner().cartId())
        .put(
            "owner", new JsonObject().put("type", cart.owner().type()).put("id", cart.owner().id()))
        .put("version", cart.version())
        .put("currency", cart.currency())
        .put("items", items)
        .put("totalItems", totalItems)
        .put("subtotal", cart.currency() == null ? "0" : Money.format(subtotal, cart.currency()))
        .put("warnings", warnings)
        .put("updatedAt", cart.updatedAt() == 0 ? null : iso(cart.updatedAt()));
  }

  private static JsonObject warning(String code, String sku, String detail) {
    return new JsonObject().put("code", code).put("sku", sku).put("detail", detail);
  }

  private static String iso(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).toString();
  }
}
