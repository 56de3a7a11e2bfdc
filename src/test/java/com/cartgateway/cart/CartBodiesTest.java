package com.cartgateway.cart;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.commerce.CartLine;
import com.cartgateway.identity.Owner;
import com.cartgateway.inventory.Price;
import com.cartgateway.inventory.PriceCache;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("rendered cart bodies")
class CartBodiesTest {
  private static final long NOW = 1_000_000;
  private static final Owner OWNER = Owner.ofCartId("u:shopper");
  private static final Map<String, Optional<Price>> PRICES =
      Map.of("A", Optional.of(new Price(250, "USD")), "B", Optional.of(new Price(100, "USD")));
  private static final PriceCache.Stamp STAMP = new PriceCache.Stamp(3, 77);
  private static final PriceCache.Stamp LATER = new PriceCache.Stamp(3, 99);

  private final CartBodies bodies = new CartBodies(1 << 20, new SimpleMeterRegistry());

  @Test
  @DisplayName("an equal cart at equal prices gets the kept body")
  void hit() {
    Buffer body = Buffer.buffer("{}");
    bodies.put(cart(7, 2, NOW + 5_000), prices(PRICES), NOW, body);
    assertThat(bodies.get(cart(7, 2, NOW + 5_000), prices(Map.copyOf(PRICES)), NOW + 4_999))
        .isSameAs(body);
  }

  @Test
  @DisplayName("while the prices' stamp is unchanged, the kept body is served without prices")
  void unchangedStamp() {
    Buffer body = Buffer.buffer("{}");
    bodies.put(cart(7, 2, NOW + 5_000), prices(PRICES), NOW, body);
    assertThat(bodies.get(cart(7, 2, NOW + 5_000), NOW, STAMP::equals)).isSameAs(body);
    assertThat(bodies.get(cart(7, 2, NOW + 5_000), NOW, stamp -> false)).isNull();
    assertThat(bodies.get(cart(8, 2, NOW + 5_000), NOW, STAMP::equals)).as("version").isNull();
    assertThat(bodies.get(cart(7, 2, NOW + 5_000), NOW + 5_000, STAMP::equals))
        .as("hold lapsed")
        .isNull();
  }

  @Test
  @DisplayName("a body found equal at newly looked-up prices takes their stamp")
  void renewedStamp() {
    Buffer body = Buffer.buffer("{}");
    bodies.put(cart(7, 2, NOW + 5_000), prices(PRICES), NOW, body);
    assertThat(bodies.get(cart(7, 2, NOW + 5_000), new PriceCache.Prices(PRICES, LATER), NOW))
        .isSameAs(body);
    assertThat(bodies.get(cart(7, 2, NOW + 5_000), NOW, LATER::equals)).isSameAs(body);
  }

  @Test
  @DisplayName("another version, another hold at the same version, or another price renders again")
  void changes() {
    bodies.put(cart(7, 2, NOW + 5_000), prices(PRICES), NOW, Buffer.buffer("{}"));
    assertThat(bodies.get(cart(8, 2, NOW + 5_000), prices(PRICES), NOW)).as("version").isNull();
    assertThat(bodies.get(cart(7, 0, 0), prices(PRICES), NOW))
        .as("restored without its hold")
        .isNull();
    assertThat(
            bodies.get(
                cart(7, 2, NOW + 5_000),
                prices(Map.of("A", Optional.of(new Price(300, "USD")), "B", PRICES.get("B"))),
                NOW))
        .as("price")
        .isNull();
    assertThat(
            bodies.get(
                cart(7, 2, NOW + 5_000),
                prices(Map.of("A", PRICES.get("A"), "B", Optional.empty())),
                NOW))
        .as("no longer sold")
        .isNull();
  }

  @Test
  @DisplayName("a body showing a live hold is not served once that hold lapsed")
  void holdLapses() {
    bodies.put(cart(7, 2, NOW + 5_000), prices(PRICES), NOW, Buffer.buffer("{}"));
    assertThat(bodies.get(cart(7, 2, NOW + 5_000), prices(PRICES), NOW + 5_000)).isNull();
  }

  @Test
  @DisplayName("with no memory allowed, nothing is kept")
  void off() {
    CartBodies none = new CartBodies(0, new SimpleMeterRegistry());
    none.put(cart(7, 2, NOW + 5_000), prices(PRICES), NOW, Buffer.buffer("{}"));
    assertThat(none.get(cart(7, 2, NOW + 5_000), prices(PRICES), NOW)).isNull();
    assertThat(none.get(cart(7, 2, NOW + 5_000), NOW, stamp -> true)).isNull();
  }

  private static PriceCache.Prices prices(Map<String, Optional<Price>> bySku) {
    return new PriceCache.Prices(bySku, STAMP);
  }

  /** Line A holds {@code held} units until {@code holdExpiresAt}; line B holds nothing. */
  private static Cart cart(long version, int held, long holdExpiresAt) {
    return new Cart(
        OWNER,
        version,
        "USD",
        List.of(
            new CartLine("A", 2, 250, 1, 2, held, holdExpiresAt, null),
            new CartLine("B", 1, 100, 1, 2, 0, 0, null)),
        2,
        2,
        0);
  }
}
