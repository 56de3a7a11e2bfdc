package com.cartgateway.cart;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.support.CartBodies;
import com.cartgateway.support.Gateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Invariant 4: a merge loses nothing, holds nothing twice, and a repeat is a no-op. */
@DisplayName("guest-to-shopper merge")
class MergeIT {
  private final Gateway gateway = Gateway.get();

  /** A guest cart with the given lines; returns the session id. */
  static String guestWith(Gateway gateway, String... skuAndQuantity) {
    String session = null;
    for (int i = 0; i < skuAndQuantity.length; i += 2) {
      HttpRequest.Builder request =
          gateway
              .request("/v1/cart/items")
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      new JsonObject()
                          .put("sku", skuAndQuantity[i])
                          .put("quantity", Integer.parseInt(skuAndQuantity[i + 1]))
                          .encode()));
      if (session != null) {
        request.header("X-Cart-Session", session);
      }
      HttpResponse<String> response = gateway.send(request.build());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      session = response.headers().firstValue("X-Cart-Session").orElse(session);
    }
    return session;
  }

  static HttpResponse<String> merge(Gateway gateway, String user, String session) {
    return gateway.send(
        gateway
            .request("/v1/cart/merge")
            .header("Authorization", "Bearer " + gateway.userToken(user))
            .header("X-Cart-Session", session)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build());
  }

  private static int held(JsonObject cart, String sku) {
    for (Object item : cart.getJsonArray("items")) {
      JsonObject line = (JsonObject) item;
      if (line.getString("sku").equals(sku)) {
        JsonObject reservation = line.getJsonObject("reservation");
        return reservation == null ? 0 : reservation.getInteger("quantity");
      }
    }
    return 0;
  }

  /** Conservation, and the SKU's reserved units are exactly what the shopper's cart holds. */
  private static void assertConserved(
      Gateway gateway, String sku, long stock, JsonObject userCart) {
    JsonObject counters = gateway.sku(sku);
    assertThat(
            counters.getLong("available") + counters.getLong("reserved") + counters.getLong("sold"))
        .isEqualTo(stock);
    assertThat(counters.getLong("available")).isNotNegative();
    assertThat(counters.getLong("reserved"))
        .as("no unit held twice")
        .isEqualTo(held(userCart, sku));
  }

  private static JsonObject report(HttpResponse<String> response, String sku) {
    for (Object entry : new JsonObject(response.body()).getJsonArray("merge")) {
      if (((JsonObject) entry).getString("sku").equals(sku)) {
        return (JsonObject) entry;
      }
    }
    throw new AssertionError("no report for " + sku + " in " + response.body());
  }

  @Test
  @DisplayName(
      "disjoint carts: the guest's lines and holds move to the shopper; the guest cart is gone")
  void disjoint() {
    String a = Gateway.unique("SKU");
    String b = Gateway.unique("SKU");
    gateway.putSku(a, "1.00", "USD", 10);
    gateway.putSku(b, "2.00", "USD", 10);
    String user = Gateway.unique("shopper");
    gateway.add(user, b, 1);
    String session = guestWith(gateway, a, "2");

    HttpResponse<String> merged = merge(gateway, user, session);
    assertThat(merged.statusCode()).isEqualTo(200);
    JsonObject cart = new JsonObject(merged.body());
    assertThat(CartBodies.quantities(cart)).isEqualTo(Map.of(a, 2, b, 1));
    assertThat(report(merged, a))
        .isEqualTo(
            new JsonObject()
                .put("sku", a)
                .put("guestQuantity", 2)
                .put("userQuantity", 0)
                .put("result", "added"));
    assertThat(merged.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
    assertConserved(gateway, a, 10, cart);
    assertConserved(gateway, b, 10, cart);
    JsonObject guestCart =
        new JsonObject(
            gateway
                .send(gateway.request("/v1/cart").header("X-Cart-Session", session).GET().build())
                .body());
    assertThat(guestCart.getJsonArray("items")).isEmpty();

    HttpResponse<String> again = merge(gateway, user, session);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(again.body()).getJsonArray("merge")).isEmpty();
    assertThat(new JsonObject(again.body()).getLong("version")).isEqualTo(cart.getLong("version"));
    assertConserved(gateway, a, 10, new JsonObject(again.body()));
  }

  @Test
  @DisplayName("max policy: the higher quantity wins either way, and the surplus hold is released")
  void maxPolicy() {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 20);
    String user = Gateway.unique("shopper");
    gateway.add(user, sku, 2);
    HttpResponse<String> guestHigher = merge(gateway, user, guestWith(gateway, sku, "5"));
    assertThat(report(guestHigher, sku).getString("result")).isEqualTo("took_guest");
    JsonObject cart = new JsonObject(guestHigher.body());
    assertThat(CartBodies.quantities(cart)).isEqualTo(Map.of(sku, 5));
    assertThat(held(cart, sku)).isEqualTo(5);
    assertConserved(gateway, sku, 20, cart);

    HttpResponse<String> userHigher = merge(gateway, user, guestWith(gateway, sku, "3"));
    assertThat(report(userHigher, sku).getString("result")).isEqualTo("kept_user");
    cart = new JsonObject(userHigher.body());
    assertThat(CartBodies.quantities(cart)).isEqualTo(Map.of(sku, 5));
    assertConserved(gateway, sku, 20, cart);
  }

  @Test
  @DisplayName("sum and prefer-guest policies, and the 999 cap")
  void otherPolicies() {
    Gateway sum = Gateway.start(Map.of("CART_MERGE_POLICY", "sum", "CART_HOLD_CAP", "1000"));
    try {
      String sku = Gateway.unique("SKU");
      sum.putSku(sku, "1.00", "USD", 5000);
      String user = Gateway.unique("shopper");
      sum.add(user, sku, 2);
      HttpResponse<String> summed = merge(sum, user, guestWith(sum, sku, "3"));
      assertThat(report(summed, sku).getString("result")).isEqualTo("summed");
      assertThat(CartBodies.quantities(new JsonObject(summed.body()))).isEqualTo(Map.of(sku, 5));
      assertConserved(sum, sku, 5000, new JsonObject(summed.body()));

      sum.send(
          sum.request("/v1/cart/items/" + sku)
              .header("Authorization", "Bearer " + sum.userToken(user))
              .header("Content-Type", "application/json")
              .PUT(HttpRequest.BodyPublishers.ofString("{\"quantity\":600}"))
              .build());
      HttpResponse<String> capped = merge(sum, user, guestWith(sum, sku, "600"));
      assertThat(report(capped, sku).getString("result")).isEqualTo("capped");
      assertThat(CartBodies.quantities(new JsonObject(capped.body()))).isEqualTo(Map.of(sku, 999));
      assertConserved(sum, sku, 5000, new JsonObject(capped.body()));
    } finally {
      sum.close();
    }
    Gateway guestWins = Gateway.start(Map.of("CART_MERGE_POLICY", "prefer-guest"));
    try {
      String sku = Gateway.unique("SKU");
      guestWins.putSku(sku, "1.00", "USD", 20);
      String user = Gateway.unique("shopper");
      guestWins.add(user, sku, 5);
      HttpResponse<String> taken = merge(guestWins, user, guestWith(guestWins, sku, "2"));
      assertThat(report(taken, sku).getString("result")).isEqualTo("took_guest");
      JsonObject cart = new JsonObject(taken.body());
      assertThat(CartBodies.quantities(cart)).isEqualTo(Map.of(sku, 2));
      assertConserved(guestWins, sku, 20, cart);
    } finally {
      guestWins.close();
    }
  }

  @Test
  @DisplayName(
      "a shopper cart with 100 lines takes no new line: the guest line is reported dropped and its hold released")
  void hundredLineCap() {
    String user = Gateway.unique("shopper");
    String bulk = Gateway.unique("M");
    for (int i = 0; i < 100; i++) {
      gateway.putSku(bulk + i, "1.00", "USD", 5);
      gateway.add(user, bulk + i, 1);
    }
    String extra = Gateway.unique("SKU");
    gateway.putSku(extra, "1.00", "USD", 5);
    HttpResponse<String> merged = merge(gateway, user, guestWith(gateway, extra, "2"));
    assertThat(merged.statusCode()).isEqualTo(200);
    assertThat(report(merged, extra).getString("result")).isEqualTo("dropped_cart_full");
    assertThat(new JsonObject(merged.body()).getJsonArray("items")).hasSize(100);
    assertThat(gateway.sku(extra).getLong("reserved")).isZero();
    assertThat(gateway.sku(extra).getLong("available")).isEqualTo(5);
  }

  @Test
  @DisplayName("a guest line whose stock is gone is kept unreserved with a warning")
  void shortfallWithoutStock() throws Exception {
    Gateway quick = Gateway.start(Map.of("CART_RESERVATION_TTL_SECONDS", "1"));
    try {
      String sku = Gateway.unique("SKU");
      quick.putSku(sku, "1.00", "USD", 2);
      String session = guestWith(quick, sku, "2");
      Thread.sleep(1_500);
      assertThat(quick.add(Gateway.unique("other"), sku, 2).statusCode()).isEqualTo(200);
      String user = Gateway.unique("shopper");
      HttpResponse<String> merged = merge(quick, user, session);
      assertThat(merged.statusCode()).isEqualTo(200);
      JsonObject cart = new JsonObject(merged.body());
      assertThat(CartBodies.quantities(cart)).isEqualTo(Map.of(sku, 2));
      assertThat(cart.getJsonArray("items").getJsonObject(0).getValue("reservation")).isNull();
      assertThat(
              cart.getJsonArray("warnings").stream().map(w -> ((JsonObject) w).getString("code")))
          .contains("out_of_stock_at_merge");
      JsonObject counters = quick.sku(sku);
      assertThat(counters.getLong("reserved")).isEqualTo(2);
      assertThat(counters.getLong("available")).isZero();
    } finally {
      quick.close();
    }
  }

  @Test
  @DisplayName("an empty guest cart changes nothing; an empty shopper cart takes the guest's lines")
  void emptyCarts() {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 10);
    String user = Gateway.unique("shopper");
    gateway.add(user, sku, 1);
    long version = gateway.cart(user).getLong("version");
    HttpResponse<String> nothing = merge(gateway, user, Gateway.guestSession());
    assertThat(nothing.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(nothing.body()).getLong("version")).isEqualTo(version);
    assertThat(new JsonObject(nothing.body()).getJsonArray("merge")).isEmpty();

    String fresh = Gateway.unique("shopper");
    HttpResponse<String> moved = merge(gateway, fresh, guestWith(gateway, sku, "3"));
    assertThat(CartBodies.quantities(new JsonObject(moved.body()))).isEqualTo(Map.of(sku, 3));
    assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(4);
  }

  @Test
  @DisplayName("8 concurrent merges of one guest cart merge it once")
  void concurrentMerges() {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 30);
    String user = Gateway.unique("shopper");
    gateway.add(user, sku, 1);
    Gateway sumGateway = Gateway.start(Map.of("CART_MERGE_POLICY", "sum"));
    try {
      String session = guestWith(sumGateway, sku, "4");
      List<HttpResponse<String>> answers =
          IntStream.range(0, 8)
              .mapToObj(i -> CompletableFuture.supplyAsync(() -> merge(sumGateway, user, session)))
              .toList()
              .stream()
              .map(CompletableFuture::join)
              .toList();
      assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
      assertThat(
              answers.stream()
                  .filter(r -> !new JsonObject(r.body()).getJsonArray("merge").isEmpty()))
          .hasSize(1);
      JsonObject cart = sumGateway.cart(user);
      assertThat(CartBodies.quantities(cart)).as("summed once").isEqualTo(Map.of(sku, 5));
      assertConserved(sumGateway, sku, 30, cart);
    } finally {
      sumGateway.close();
    }
  }

  @Test
  @DisplayName(
      "a malformed session answers 400; a session merged into another shopper answers 403; no token 401")
  void forgedOrForeign() {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 10);
    String alice = Gateway.unique("alice");
    assertThat(merge(gateway, alice, "not a session!").statusCode()).isEqualTo(400);
    String session = guestWith(gateway, sku, "2");
    assertThat(merge(gateway, alice, session).statusCode()).isEqualTo(200);
    HttpResponse<String> mallory = merge(gateway, Gateway.unique("mallory"), session);
    assertThat(mallory.statusCode()).isEqualTo(403);
    assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(2);
    HttpResponse<String> anonymous =
        gateway.send(
            gateway
                .request("/v1/cart/merge")
                .header("X-Cart-Session", session)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    JsonArray items = gateway.cart(alice).getJsonArray("items");
    assertThat(items).hasSize(1);
  }

  @Test
  @DisplayName(
      "with a stale If-Match a merge answers 412 and moves nothing; the current one merges")
  void ifMatch() {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 10);
    String user = Gateway.unique("shopper");
    long version = new JsonObject(gateway.add(user, sku, 1).body()).getLong("version");
    String session = guestWith(gateway, sku, "4");

    HttpResponse<String> stale = mergeIfMatch(user, session, version - 1);
    assertThat(stale.statusCode()).isEqualTo(412);
    assertThat(stale.headers().firstValue("Set-Cookie"))
        .as("the guest keeps the session")
        .isEmpty();
    assertThat(CartBodies.quantities(gateway.cart(user))).isEqualTo(Map.of(sku, 1));
    JsonObject guestCart =
        new JsonObject(
            gateway
                .send(gateway.request("/v1/cart").header("X-Cart-Session", session).GET().build())
                .body());
    assertThat(CartBodies.quantities(guestCart))
        .as("the guest cart is untouched")
        .isEqualTo(Map.of(sku, 4));
    assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(5);

    HttpResponse<String> current = mergeIfMatch(user, session, version);
    assertThat(current.statusCode()).isEqualTo(200);
    assertThat(CartBodies.quantities(new JsonObject(current.body()))).isEqualTo(Map.of(sku, 4));
    assertConserved(gateway, sku, 10, new JsonObject(current.body()));
  }

  @Test
  @DisplayName(
      "a guest line in another currency is reported dropped, and the shopper's cart keeps its"
          + " currency and prices")
  void otherCurrency() {
    String euro = Gateway.unique("SKU");
    String dollar = Gateway.unique("SKU");
    gateway.putSku(euro, "3.00", "EUR", 10);
    gateway.putSku(dollar, "2.00", "USD", 10);
    String user = Gateway.unique("shopper");
    gateway.add(user, euro, 1);
    String session = guestWith(gateway, dollar, "2");

    HttpResponse<String> merged = merge(gateway, user, session);
    assertThat(merged.statusCode()).isEqualTo(200);
    JsonObject cart = new JsonObject(merged.body());
    assertThat(report(merged, dollar).getString("result")).isEqualTo("dropped_currency_mismatch");
    assertThat(cart.getString("currency")).isEqualTo("EUR");
    assertThat(cart.getString("subtotal")).isEqualTo("3.00");
    assertThat(CartBodies.quantities(cart)).isEqualTo(Map.of(euro, 1));
    assertThat(cart.getJsonArray("warnings").stream().map(w -> ((JsonObject) w).getString("code")))
        .contains("dropped_at_merge");
    assertConserved(gateway, dollar, 10, cart);
    assertConserved(gateway, euro, 10, cart);
  }

  @Test
  @DisplayName(
      "a merge replayed under its Idempotency-Key also tells the browser to forget the session")
  void replayClearsTheCookie() {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 10);
    String user = Gateway.unique("shopper");
    String session = guestWith(gateway, sku, "1");
    String key = "merge-" + java.util.UUID.randomUUID();
    HttpResponse<String> first = mergeWithKey(user, session, key);
    HttpResponse<String> replay = mergeWithKey(user, session, key);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(replay.statusCode()).isEqualTo(200);
    assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(replay.body()).isEqualTo(first.body());
    assertThat(replay.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
  }

  private HttpResponse<String> mergeIfMatch(String user, String session, long version) {
    return gateway.send(
        gateway
            .request("/v1/cart/merge")
            .header("Authorization", "Bearer " + gateway.userToken(user))
            .header("X-Cart-Session", session)
            .header("If-Match", "\"" + version + "\"")
            .POST(HttpRequest.BodyPublishers.noBody())
            .build());
  }

  private HttpResponse<String> mergeWithKey(String user, String session, String key) {
    return gateway.send(
        gateway
            .request("/v1/cart/merge")
            .header("Authorization", "Bearer " + gateway.userToken(user))
            .header("X-Cart-Session", session)
            .header("Idempotency-Key", key)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build());
  }
}
