package com.cartgateway.cart;

import com.cartgateway.commerce.CartLine;
import com.cartgateway.config.MergePolicy;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The merge rules, apart from where carts and holds live: what becomes of each guest line in the
 * shopper's cart under the merge policy and the cart's limits.
 */
final class MergePlan {
  private MergePlan() {}

  /**
   * What becomes of one guest line.
   *
   * @param guest the guest's line
   * @param user the shopper's line of the same SKU, or null
   * @param quantity the merged line's units (0 when dropped)
   * @param price the merged line's unit price
   * @param result what the report says of it: added, summed, capped, took_guest, kept_user,
   *     dropped_cart_full or dropped_currency_mismatch
   * @param target the units the merged line should hold (up to the hold cap)
   */
  record Line(CartLine guest, CartLine user, int quantity, long price, String result, int target) {

    /** Whether the line stays out of the shopper's cart. */
    boolean dropped() {
      return result.startsWith("dropped_");
    }

    /** The shopper's variant if it has one, else the guest's. */
    JsonObject variant() {
      return user != null && user.variant() != null ? user.variant() : guest.variant();
    }

    /** When the merged line was first added: the earlier of the two. */
    long addedAt() {
      return user == null ? guest.addedAt() : Math.min(user.addedAt(), guest.addedAt());
    }
  }

  /** One {@link Line} per guest line, in the guest cart's order. */
  static List<Line> of(Cart guestCart, Cart userCart, CartStore.Limits limits, MergePolicy policy) {
    List<Line> plan = new ArrayList<>();
    int lines = userCart.lines().size();
    boolean sameCurrency =
        userCart.currency() == null || userCart.currency().equals(guestCart.currency());
    for (CartLine g : guestCart.lines()) {
      CartLine u = userCart.line(g.sku());
      if (u == null) {
        if (!sameCurrency) {
          plan.add(new Line(g, null, 0, g.unitPrice(), "dropped_currency_mismatch", 0));
          continue;
        }
        if (lines >= limits.maxLines()) {
          plan.add(new Line(g, null, 0, g.unitPrice(), "dropped_cart_full", 0));
          continue;
        }
        lines++;
        int quantity = Math.min(g.quantity(), limits.maxQuantity());
        plan.add(
            new Line(
                g, null, quantity, g.unitPrice(), "added", Math.min(quantity, limits.holdCap())));
        continue;
      }
      int quantity;
      String result;
      switch (policy) {
        case SUM -> {
          int sum = g.quantity() + u.quantity();
          quantity = Math.min(sum, limits.maxQuantity());
          result = sum > limits.maxQuantity() ? "capped" : "summed";
        }
        case PREFER_GUEST -> {
          quantity = g.quantity();
          result = "took_guest";
        }
        default -> {
          quantity = Math.max(g.quantity(), u.quantity());
          result = g.quantity() > u.quantity() ? "took_guest" : "kept_user";
        }
      }
      plan.add(
          new Line(g, u, quantity, u.unitPrice(), result, Math.min(quantity, limits.holdCap())));
    }
    return plan;
  }

  /** The cart's currency after the merge, as the merge script takes it: empty to keep its own. */
  static String currency(Cart guestCart, Cart userCart) {
    // The guest's currency only names a cart that has none yet; lines in another are dropped.
    return userCart.currency() == null ? nullToEmpty(guestCart.currency()) : "";
  }

  private static String nullToEmpty(String text) {
    return text == null ? "" : text;
  }
}
