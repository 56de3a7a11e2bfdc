package com.cartgateway.cart;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.commerce.CartLine;
import com.cartgateway.config.MergePolicy;
import com.cartgateway.identity.Owner;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the merge plan and its report")
class MergePlanTest {
  private static final CartStore.Limits LIMITS = new CartStore.Limits(2, 10, 4, 0);
  private static final Owner GUEST = Owner.guest("g1");
  private static final Owner USER = Owner.user("alice");

  private static CartLine line(String sku, int quantity, long addedAt, JsonObject variant) {
    return new CartLine(sku, quantity, 250, addedAt, addedAt, 0, 0, variant);
  }

  private static Cart cart(Owner owner, String currency, CartLine... lines) {
    return new Cart(owner, 3, currency, List.of(lines), 1, 1, 0);
  }

  @Test
  @DisplayName("a SKU in both carts follows the policy, within the line's units and the hold cap")
  void policies() {
    Cart guest = cart(GUEST, "USD", line("A", 7, 1, null));
    Cart user = cart(USER, "USD", line("A", 6, 2, null));

    MergePlan.Line sum = MergePlan.of(guest, user, LIMITS, MergePolicy.SUM).get(0);
    assertThat(sum.quantity()).isEqualTo(10);
    assertThat(sum.result()).isEqualTo("capped");
    assertThat(sum.target()).as("held up to the cap").isEqualTo(4);

    MergePlan.Line max = MergePlan.of(guest, user, LIMITS, MergePolicy.MAX).get(0);
    assertThat(max.quantity()).isEqualTo(7);
    assertThat(max.result()).isEqualTo("took_guest");

    MergePlan.Line guestWins = MergePlan.of(user, guest, LIMITS, MergePolicy.PREFER_GUEST).get(0);
    assertThat(guestWins.quantity()).isEqualTo(6);
    assertThat(guestWins.result()).isEqualTo("took_guest");
  }

  @Test
  @DisplayName("a merged line keeps the shopper's variant and the earlier time it was added")
  void mergedLine() {
    JsonObject red = new JsonObject().put("color", "red");
    JsonObject blue = new JsonObject().put("color", "blue");
    Cart guest = cart(GUEST, "USD", line("A", 1, 5, red));
    Cart user = cart(USER, "USD", line("A", 1, 9, blue));

    MergePlan.Line merged = MergePlan.of(guest, user, LIMITS, MergePolicy.MAX).get(0);

    assertThat(merged.variant()).isEqualTo(blue);
    assertThat(merged.addedAt()).isEqualTo(5);
    assertThat(merged.result()).isEqualTo("kept_user");
  }

  @Test
  @DisplayName(
      "new lines past the cart's line limit, or in another currency, are dropped with a warning")
  void dropped() {
    Cart guest = cart(GUEST, "USD", line("A", 1, 1, null), line("B", 1, 2, null));
    Cart user = cart(USER, "USD", line("C", 1, 3, null));

    List<MergePlan.Line> plan = MergePlan.of(guest, user, LIMITS, MergePolicy.MAX);

    assertThat(plan)
        .extracting(MergePlan.Line::result)
        .containsExactly("added", "dropped_cart_full");
    JsonArray warnings = MergeReport.warnings(plan, List.of(1, 0), guest, user, LIMITS);
    assertThat(warnings).hasSize(1);
    assertThat(warnings.getJsonObject(0).getString("code")).isEqualTo("dropped_at_merge");
    assertThat(warnings.getJsonObject(0).getString("sku")).isEqualTo("B");

    Cart euros = cart(USER, "EUR", line("C", 1, 3, null));
    assertThat(MergePlan.of(guest, euros, LIMITS, MergePolicy.MAX))
        .extracting(MergePlan.Line::result)
        .containsOnly("dropped_currency_mismatch");
    assertThat(MergePlan.currency(guest, euros)).as("the shopper's currency stays").isEmpty();
    assertThat(MergePlan.currency(guest, cart(USER, null))).isEqualTo("USD");
  }

  @Test
  @DisplayName("a line held short of its target is reported as out of stock at merge")
  void heldShort() {
    Cart guest = cart(GUEST, "USD", line("A", 3, 1, null));
    Cart user = cart(USER, "USD");
    List<MergePlan.Line> plan = MergePlan.of(guest, user, LIMITS, MergePolicy.MAX);

    JsonArray warnings = MergeReport.warnings(plan, List.of(1), guest, user, LIMITS);

    assertThat(warnings.getJsonObject(0).getString("code")).isEqualTo("out_of_stock_at_merge");
    assertThat(warnings.getJsonObject(0).getString("detail")).startsWith("holding 1 of 3");
    assertThat(MergeReport.report(plan).getJsonObject(0))
        .isEqualTo(
            new JsonObject()
                .put("sku", "A")
                .put("guestQuantity", 3)
                .put("userQuantity", 0)
                .put("result", "added"));
  }
}
