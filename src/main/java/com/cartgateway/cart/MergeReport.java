package com.cartgateway.cart;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** What a merge tells the shopper: a report entry per guest line, and its warnings. */
final class MergeReport {
  private MergeReport() {}

  /** One entry per guest line: {sku, guestQuantity, userQuantity, result}. */
  static JsonArray report(List<MergePlan.Line> plan) {
    JsonArray report = new JsonArray();
    for (MergePlan.Line p : plan) {
      report.add(
          new JsonObject()
              .put("sku", p.guest().sku())
              .put("guestQuantity", p.guest().quantity())
              .put("userQuantity", p.user() == null ? 0 : p.user().quantity())
              .put("result", p.result()));
    }
    return report;
  }

  /**
   * The lines dropped, and those that could not be held whole.
   *
   * @param held the units each planned line holds after the transfers
   */
  static JsonArray warnings(
      List<MergePlan.Line> plan,
      List<Integer> held,
      Cart guestCart,
      Cart userCart,
      CartStore.Limits limits) {
    JsonArray warnings = new JsonArray();
    for (int i = 0; i < plan.size(); i++) {
      MergePlan.Line p = plan.get(i);
      int holds = held.get(i);
      if (p.dropped()) {
        warnings.add(
            new JsonObject()
                .put("code", "dropped_at_merge")
                .put("sku", p.guest().sku())
                .put(
                    "detail",
                    p.result().equals("dropped_cart_full")
                        ? "the cart already has " + limits.maxLines() + " lines"
                        : "the guest line is in "
                            + guestCart.currency()
                            + ", the cart in "
                            + userCart.currency()));
      } else if (holds < p.target()) {
        warnings.add(
            new JsonObject()
                .put("code", "out_of_stock_at_merge")
                .put("sku", p.guest().sku())
                .put("detail", "holding " + holds + " of " + p.quantity() + "; not enough stock"));
      }
    }
    return warnings;
  }
}
