package com.cartgateway.cart;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.commerce.CartException;
import com.cartgateway.commerce.CartLine;
import com.cartgateway.identity.Owner;
import com.cartgateway.inventory.Price;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the rules of an order")
class OrdersTest {
  private static final Owner OWNER = Owner.user("alice");
  private static final Cart CART =
      new Cart(
          OWNER,
          4,
          "USD",
          List.of(
              new CartLine("A", 2, 250, 1, 1, 2, 0, null),
              new CartLine("B", 1, 100, 2, 2, 1, 0, null)),
          2,
          2,
          0);

  @Test
  @DisplayName("the same idempotency key gives the same order id, another key another")
  void orderIds() {
    assertThat(Orders.id(OWNER, "k1")).isEqualTo(Orders.id(OWNER, "k1"));
    assertThat(Orders.id(OWNER, "k1")).isNotEqualTo(Orders.id(OWNER, "k2"));
    assertThat(Orders.id(OWNER, "k1")).isNotEqualTo(Orders.id(Owner.user("bob"), "k1"));
  }

  @Test
  @DisplayName("an order at unchanged prices lists every line and the subtotal")
  void priced() {
    JsonObject order = Orders.priced(CART, prices(250, 100), false).result();

    assertThat(order.getString("subtotal")).isEqualTo("6.00");
    assertThat(order.getJsonArray("items")).hasSize(2);
    assertThat(Orders.skusOf(Orders.placed(order, "o1", OWNER, 0).encode()))
        .containsExactly("A", "B");
  }

  @Test
  @DisplayName(
      "a changed price refuses the order unless the shopper accepts it, then it is charged")
  void priceChanged() {
    Future<JsonObject> refused = Orders.priced(CART, prices(300, 100), false);
    assertThat(refused.cause()).isInstanceOf(CartException.class);
    assertThat(((CartException) refused.cause()).reason())
        .isEqualTo(CartException.Reason.PRICE_CHANGED);

    JsonObject accepted = Orders.priced(CART, prices(300, 100), true).result();
    assertThat(accepted.getString("subtotal")).isEqualTo("7.00");
  }

  @Test
  @DisplayName("a SKU no longer sold, or sold in another currency, makes the order out of stock")
  void gone() {
    Future<JsonObject> refused =
        Orders.priced(
            CART, Map.of("A", Optional.of(new Price(250, "EUR")), "B", Optional.empty()), true);

    CartException e = (CartException) refused.cause();
    assertThat(e.reason()).isEqualTo(CartException.Reason.OUT_OF_STOCK);
    assertThat(e.extras().getJsonArray("skus")).hasSize(2);
    assertThat(e.extras().getLong("available")).isZero();
  }

  private static Map<String, Optional<Price>> prices(long a, long b) {
    return Map.of("A", Optional.of(new Price(a, "USD")), "B", Optional.of(new Price(b, "USD")));
  }
}
