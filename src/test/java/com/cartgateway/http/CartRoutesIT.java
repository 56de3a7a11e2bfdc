package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.support.Gateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("cart routes over HTTP")
class CartRoutesIT {
  private final Gateway gateway = Gateway.get();
  private String user;
  private String token;
  private String sku;

  @BeforeEach
  void freshShopperAndSku() {
    user = Gateway.unique("shopper");
    token = "Bearer " + gateway.userToken(user);
    sku = Gateway.unique("SKU");
    gateway.putSku(sku, "29.99", "USD", 50);
  }

  private HttpResponse<String> call(String method, String path, String body, String... headers) {
    HttpRequest.Builder request =
        gateway
            .request(path)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return gateway.send(request.build());
  }

  private HttpResponse<String> add(String skuName, int quantity, String... headers) {
    return call(
        "POST",
        "/v1/cart/items",
        new JsonObject().put("sku", skuName).put("quantity", quantity).encode(),
        concat(new String[] {"Authorization", token}, headers));
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  @DisplayName("an unknown cart is an empty cart at version 0 with its ETag")
  void unknownCartIsEmpty() {
    HttpResponse<String> response = call("GET", "/v1/cart", null, "Authorization", token);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject cart = new JsonObject(response.body());
    assertThat(cart.getLong("version")).isZero();
    assertThat(cart.getJsonArray("items")).isEmpty();
    assertThat(cart.getString("cartId")).isEqualTo("u:" + user);
    assertThat(cart.getJsonObject("owner"))
        .isEqualTo(new JsonObject().put("type", "user").put("id", user));
    assertThat(response.headers().firstValue("ETag")).hasValue("\"0\"");
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(response.headers().firstValue("Vary"))
        .hasValue("Authorization, Cookie, X-Cart-Session");
  }

  @Test
  @DisplayName("adding holds the units, captures the price, and the read shows both")
  void addHoldsAndCapturesPrice() {
    HttpResponse<String> added = add(sku, 2);
    assertThat(added.statusCode()).isEqualTo(200);
    JsonObject cart = new JsonObject(added.body());
    assertThat(cart.getLong("version")).isEqualTo(1);
    JsonObject line = cart.getJsonArray("items").getJsonObject(0);
    assertThat(line.getString("sku")).isEqualTo(sku);
    assertThat(line.getInteger("quantity")).isEqualTo(2);
    assertThat(line.getString("unitPrice")).isEqualTo("29.99");
    assertThat(line.getString("currentPrice")).isEqualTo("29.99");
    assertThat(line.getBoolean("priceChanged")).isFalse();
    assertThat(line.getJsonObject("reservation").getInteger("quantity")).isEqualTo(2);
    assertThat(cart.getString("subtotal")).isEqualTo("59.98");
    assertThat(cart.getLong("totalItems")).isEqualTo(2);
    assertThat(cart.getString("currency")).isEqualTo("USD");
    assertThat(cart.getJsonArray("warnings")).isEmpty();
    assertThat(added.headers().firstValue("ETag")).hasValue("\"1\"");

    JsonObject stock = gateway.sku(sku);
    assertThat(stock.getLong("available")).isEqualTo(48);
    assertThat(stock.getLong("reserved")).isEqualTo(2);
  }

  @Test
  @DisplayName("a changed catalog price shows as currentPrice, priceChanged and a warning")
  void priceChangeIsVisible() throws InterruptedException {
    add(sku, 1);
    gateway.putSku(sku, "31.99", "USD", 50);
    JsonObject cart = gateway.cart(user);
    JsonObject line = cart.getJsonArray("items").getJsonObject(0);
    assertThat(line.getString("unitPrice")).isEqualTo("29.99");
    assertThat(line.getString("currentPrice")).isEqualTo("31.99");
    assertThat(line.getBoolean("priceChanged")).isTrue();
    JsonArray warnings = cart.getJsonArray("warnings");
    assertThat(warnings.getJsonObject(0).getString("code")).isEqualTo("price_changed");
    assertThat(warnings.getJsonObject(0).getString("detail"))
        .isEqualTo("29.99 when added, 31.99 now");
  }

  @Test
  @DisplayName("If-None-Match with the current ETag answers 304, a stale one 200")
  void conditionalRead() {
    add(sku, 1);
    HttpResponse<String> same =
        call("GET", "/v1/cart", null, "Authorization", token, "If-None-Match", "\"1\"");
    assertThat(same.statusCode()).isEqualTo(304);
    assertThat(same.body()).isEmpty();
    assertThat(same.headers().firstValue("ETag")).hasValue("\"1\"");
    HttpResponse<String> stale =
        call("GET", "/v1/cart", null, "Authorization", token, "If-None-Match", "\"0\"");
    assertThat(stale.statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("PUT sets the quantity and moves the hold by the difference, both ways")
  void putMovesHold() {
    add(sku, 2);
    HttpResponse<String> up =
        call("PUT", "/v1/cart/items/" + sku, "{\"quantity\":5}", "Authorization", token);
    assertThat(up.statusCode()).isEqualTo(200);
    assertThat(
            new JsonObject(up.body()).getJsonArray("items").getJsonObject(0).getInteger("quantity"))
        .isEqualTo(5);
    assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(5);
    HttpResponse<String> down =
        call("PUT", "/v1/cart/items/" + sku, "{\"quantity\":1}", "Authorization", token);
    assertThat(down.statusCode()).isEqualTo(200);
    assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(1);
    assertThat(gateway.sku(sku).getLong("available")).isEqualTo(49);
  }

  @Test
  @DisplayName("PUT beyond the stock answers 409 out_of_stock and keeps the line as it was")
  void putBeyondStock() {
    String scarce = Gateway.unique("SKU");
    gateway.putSku(scarce, "3.00", "USD", 10);
    add(scarce, 2);
    HttpResponse<String> response =
        call("PUT", "/v1/cart/items/" + scarce, "{\"quantity\":15}", "Authorization", token);
    assertThat(response.statusCode()).isEqualTo(409);
    assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("out_of_stock");
    assertThat(new JsonObject(response.body()).getLong("available")).isEqualTo(8);
    assertThat(gateway.cart(user).getJsonArray("items").getJsonObject(0).getInteger("quantity"))
        .isEqualTo(2);
    assertThat(gateway.sku(scarce).getLong("reserved")).isEqualTo(2);
  }

  @Test
  @DisplayName(
      "one cart holds at most 20 units of a SKU: more is accepted, not held, with a warning")
  void holdCap() {
    HttpResponse<String> big = add(sku, 25);
    assertThat(big.statusCode()).isEqualTo(200);
    JsonObject cart = new JsonObject(big.body());
    JsonObject line = cart.getJsonArray("items").getJsonObject(0);
    assertThat(line.getInteger("quantity")).isEqualTo(25);
    assertThat(line.getJsonObject("reservation").getInteger("quantity")).isEqualTo(20);
    assertThat(cart.getJsonArray("warnings").getJsonObject(0).getString("code"))
        .isEqualTo("hold_capped");
    assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(20);
    HttpResponse<String> lower =
        call("PUT", "/v1/cart/items/" + sku, "{\"quantity\":12}", "Authorization", token);
    assertThat(new JsonObject(lower.body()).getJsonArray("warnings")).isEmpty();
    assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(12);
    call("PUT", "/v1/cart/items/" + sku, "{\"quantity\":30}", "Authorization", token);
    assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(20);
    HttpResponse<String> order =
        call(
            "POST",
            "/v1/cart/checkout",
            null,
            "Authorization",
            token,
            "Idempotency-Key",
            "cap-" + sku);
    assertThat(order.statusCode()).as("checkout holds the rest and sells all 30").isEqualTo(201);
    assertThat(gateway.sku(sku).getLong("sold")).isEqualTo(30);
    assertThat(gateway.sku(sku).getLong("reserved")).isZero();
  }

  @Test
  @DisplayName("PUT on a line the cart lacks answers 404 line_not_found")
  void putMissingLine() {
    HttpResponse<String> response =
        call("PUT", "/v1/cart/items/" + sku, "{\"quantity\":1}", "Authorization", token);
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("line_not_found");
    assertThat(gateway.sku(sku).getLong("reserved")).isZero();
  }

  @Test
  @DisplayName("DELETE of a line releases its hold and is idempotent")
  void deleteLine() {
    add(sku, 3);
    HttpResponse<String> first =
        call("DELETE", "/v1/cart/items/" + sku, null, "Authorization", token);
    assertThat(first.statusCode()).isEqualTo(200);
    JsonObject cart = new JsonObject(first.body());
    assertThat(cart.getJsonArray("items")).isEmpty();
    assertThat(cart.getLong("version")).isEqualTo(2);
    assertThat(gateway.sku(sku).getLong("reserved")).isZero();
    assertThat(gateway.sku(sku).getLong("available")).isEqualTo(50);
    HttpResponse<String> again =
        call("DELETE", "/v1/cart/items/" + sku, null, "Authorization", token);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(again.body()).getLong("version")).isEqualTo(2);
  }

  @Test
  @DisplayName("DELETE of the cart empties it and releases every hold")
  void clearCart() {
    String other = Gateway.unique("SKU");
    gateway.putSku(other, "5.00", "USD", 10);
    add(sku, 3);
    add(other, 4);
    HttpResponse<String> cleared = call("DELETE", "/v1/cart", null, "Authorization", token);
    assertThat(cleared.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(cleared.body()).getJsonArray("items")).isEmpty();
    assertThat(gateway.sku(sku).getLong("reserved")).isZero();
    assertThat(gateway.sku(other).getLong("reserved")).isZero();
    assertThat(gateway.sku(other).getLong("available")).isEqualTo(10);
  }

  @Test
  @DisplayName("a write with a stale If-Match answers 412 and changes nothing")
  void staleIfMatch() {
    add(sku, 1);
    HttpResponse<String> response = add(sku, 1, "If-Match", "\"0\"");
    assertThat(response.statusCode()).isEqualTo(412);
    assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("version_conflict");
    assertThat(gateway.cart(user).getLong("version")).isEqualTo(1);
    assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(1);
    HttpResponse<String> current = add(sku, 1, "If-Match", "\"1\"");
    assertThat(current.statusCode()).isEqualTo(200);
    HttpResponse<String> staleSet =
        call(
            "PUT",
            "/v1/cart/items/" + sku,
            "{\"quantity\":9}",
            "Authorization",
            token,
            "If-Match",
            "\"1\"");
    assertThat(staleSet.statusCode()).isEqualTo(412);
    HttpResponse<String> staleDelete =
        call("DELETE", "/v1/cart", null, "Authorization", token, "If-Match", "\"1\"");
    assertThat(staleDelete.statusCode()).isEqualTo(412);
    assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(2);
  }

  @Test
  @DisplayName("an unknown SKU answers 404 unknown_sku, on add and on read")
  void unknownSku() {
    HttpResponse<String> response = add("NOPE-" + sku, 1);
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("unknown_sku");
    assertThat(gateway.cart(user).getLong("version")).isZero();
    HttpResponse<String> read = call("GET", "/v1/skus/NOPE-" + sku, null);
    assertThat(read.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(read.body()).getString("code")).isEqualTo("unknown_sku");
  }

  @Test
  @DisplayName(
      "a guest's first write gets a session in a header and a cookie; the session reads it back")
  void guestSession() {
    HttpResponse<String> first =
        call(
            "POST", "/v1/cart/items", new JsonObject().put("sku", sku).put("quantity", 1).encode());
    assertThat(first.statusCode()).isEqualTo(200);
    String session = first.headers().firstValue("X-Cart-Session").orElseThrow();
    assertThat(session).matches("[A-Za-z0-9_-]{22,}");
    assertThat(first.headers().firstValue("Set-Cookie").orElseThrow())
        .contains("cart_session=" + session)
        .contains("HttpOnly")
        .contains("Secure")
        .contains("SameSite=Lax")
        .contains("Path=/");
    JsonObject byHeader =
        new JsonObject(call("GET", "/v1/cart", null, "X-Cart-Session", session).body());
    assertThat(byHeader.getString("cartId")).isEqualTo("g:" + session);
    assertThat(byHeader.getJsonArray("items")).hasSize(1);
    JsonObject byCookie =
        new JsonObject(call("GET", "/v1/cart", null, "Cookie", "cart_session=" + session).body());
    assertThat(byCookie.getJsonArray("items")).hasSize(1);
  }

  @Test
  @DisplayName("a read without identity answers 401; a malformed session 400")
  void readNeedsIdentity() {
    HttpResponse<String> anonymous = call("GET", "/v1/cart", null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    HttpResponse<String> malformed = call("GET", "/v1/cart", null, "X-Cart-Session", "short!");
    assertThat(malformed.statusCode()).isEqualTo(400);
  }

  @Test
  @DisplayName("the user token wins over a guest session")
  void userWinsOverGuest() {
    HttpResponse<String> guest =
        call(
            "POST", "/v1/cart/items", new JsonObject().put("sku", sku).put("quantity", 1).encode());
    String session = guest.headers().firstValue("X-Cart-Session").orElseThrow();
    HttpResponse<String> both =
        call("GET", "/v1/cart", null, "Authorization", token, "X-Cart-Session", session);
    assertThat(new JsonObject(both.body()).getString("cartId")).isEqualTo("u:" + user);
  }

  @Test
  @DisplayName("a variant is kept with its line")
  void variantKept() {
    HttpResponse<String> response =
        call(
            "POST",
            "/v1/cart/items",
            new JsonObject()
                .put("sku", sku)
                .put("quantity", 1)
                .put("variant", new JsonObject().put("size", "M"))
                .encode(),
            "Authorization",
            token);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(gateway.cart(user).getJsonArray("items").getJsonObject(0).getJsonObject("variant"))
        .isEqualTo(new JsonObject().put("size", "M"));
  }

  @Test
  @DisplayName("money keeps the currency's minor digits: JPY has none")
  void currencyDigits() {
    String yen = Gateway.unique("SKU");
    gateway.putSku(yen, "500", "JPY", 10);
    JsonObject cart = new JsonObject(add(yen, 3).body());
    assertThat(cart.getString("subtotal")).isEqualTo("1500");
    assertThat(gateway.sku(yen).getString("price")).isEqualTo("500");
  }
}
