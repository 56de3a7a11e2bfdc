package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.store.RedisKeys;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.OneLineCart;
import com.cartgateway.support.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile bodies and amounts: strict JSON, currencies in use, bounded prices and exact subtotals.
 * Every refusal is a 4xx problem and leaves the cart and the SKU as they were.
 */
@DisplayName("strict input: one reading of a body, real currencies, exact money")
class StrictInputIT {
  /** The highest price in USD: Money.MAX_PRICE minor units. */
  private static final String MAX_USD = "9999999999.99";

  private final Gateway gateway = Gateway.get();
  private OneLineCart before;
  private String user;
  private String sku;

  @BeforeEach
  void cartWithOneLine() {
    before = OneLineCart.create(gateway);
    user = before.user();
    sku = before.sku();
  }

  /** UTF-8 text, raw bytes, and UTF-8 text again, as one body. */
  private static byte[] bytes(String before, byte[] raw, String after) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(raw);
    out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  static Stream<Arguments> lenientAdds() {
    String add = "{\"sku\":\"%s\",\"quantity\":1}";
    String variant = "{\"sku\":\"%s\",\"quantity\":1,\"variant\":{\"colour\":\"";
    return Stream.of(
        Arguments.of("a block comment", "{\"sku\":\"%s\",\"quantity\":1 /* one */}", null),
        Arguments.of("a line comment", "{\"sku\":\"%s\",\"quantity\":1 // one\n}", null),
        Arguments.of("a duplicate key", "{\"sku\":\"%s\",\"quantity\":5,\"quantity\":1}", null),
        Arguments.of(
            "a duplicate key in the variant",
            "{\"sku\":\"%s\",\"quantity\":1,\"variant\":{\"c\":\"red\",\"c\":\"blue\"}}",
            null),
        Arguments.of("a second value after the object", add + " {}", null),
        Arguments.of(
            "a variant number beyond a double",
            "{\"sku\":\"%s\",\"quantity\":1,\"variant\":{\"w\":[1e400]}}",
            null),
        Arguments.of(
            "a variant number that a double rounds to 0",
            "{\"sku\":\"%s\",\"quantity\":1,\"variant\":{\"w\":1e-400}}",
            null),
        Arguments.of("a lone surrogate escape", variant + "\\ud800\"}}", null),
        Arguments.of("a reversed surrogate pair", variant + "\\ude00\\ud83d\"}}", null),
        Arguments.of("UTF-16 with a byte order mark", add, StandardCharsets.UTF_16),
        Arguments.of("UTF-16LE without a byte order mark", add, StandardCharsets.UTF_16LE),
        Arguments.of("UTF-16BE without a byte order mark", add, StandardCharsets.UTF_16BE),
        Arguments.of("a UTF-8 byte order mark", "\uFEFF" + add, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lenientAdds")
  @DisplayName("an add whose body is not strict JSON answers 400 and changes nothing")
  void lenientAdd(String name, String body, Charset charset) {
    String text = body.formatted(sku);
    byte[] bytes = text.getBytes(charset == null ? StandardCharsets.UTF_8 : charset);
    assertRefused(post("/v1/cart/items", bytes), 400);
  }

  static Stream<Arguments> malformedUtf8() {
    return Stream.of(
        // an overlong '/': read leniently, a\xC0\xAFb would be stored as a/b
        Arguments.of("an overlong slash", new byte[] {'a', (byte) 0xC0, (byte) 0xAF, 'b'}),
        // a surrogate encoded on its own (CESU-8): read leniently, it is stored as '?'
        Arguments.of("an encoded surrogate", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
        Arguments.of("a stray continuation byte", new byte[] {'a', (byte) 0x80}),
        Arguments.of("a truncated sequence", new byte[] {'a', (byte) 0xE2, (byte) 0x82}),
        Arguments.of("Latin-1", "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedUtf8")
  @DisplayName("an add whose variant is not well-formed UTF-8 answers 400 and changes nothing")
  void malformedVariant(String name, byte[] raw) {
    byte[] body =
        bytes("{\"sku\":\"" + sku + "\",\"quantity\":1,\"variant\":{\"colour\":\"", raw, "\"}}");
    assertRefused(post("/v1/cart/items", body), 400);
  }

  @Test
  @DisplayName("a set with a duplicate or commented quantity answers 400 and changes nothing")
  void lenientSet() {
    for (String body : new String[] {"{\"quantity\":3,\"quantity\":1}", "{/* */\"quantity\":1}"}) {
      HttpResponse<String> response =
          gateway.send(
              gateway
                  .request("/v1/cart/items/" + sku)
                  .header("Authorization", "Bearer " + gateway.userToken(user))
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofString(body))
                  .build());
      assertRefused(response, 400);
    }
  }

  @Test
  @DisplayName("a checkout whose body carries a comment answers 400 and sells nothing")
  void lenientCheckout() {
    HttpResponse<String> response =
        gateway.send(
            gateway
                .request("/v1/cart/checkout")
                .header("Authorization", "Bearer " + gateway.userToken(user))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "k-" + UUID.randomUUID())
                .POST(HttpRequest.BodyPublishers.ofString("{\"acceptPriceChanges\":true /**/}"))
                .build());
    assertRefused(response, 400);
  }

  static Stream<Arguments> badAdminBodies() {
    return Stream.of(
        Arguments.of("price 1e400", "{\"price\":1e400,\"currency\":\"USD\",\"stock\":5}"),
        Arguments.of(
            "price 1e999999999", "{\"price\":1e999999999,\"currency\":\"USD\",\"stock\":5}"),
        Arguments.of(
            "price 1e2147483647", "{\"price\":1e2147483647,\"currency\":\"USD\",\"stock\":5}"),
        Arguments.of(
            "price 1e99999999999", "{\"price\":1e99999999999,\"currency\":\"USD\",\"stock\":5}"),
        Arguments.of("price -1e400", "{\"price\":-1e400,\"currency\":\"USD\",\"stock\":5}"),
        Arguments.of("price 1e-400", "{\"price\":1e-400,\"currency\":\"USD\",\"stock\":5}"),
        Arguments.of(
            "a price one cent above the bound",
            "{\"price\":\"10000000000.00\",\"currency\":\"USD\",\"stock\":5}"),
        Arguments.of(
            "a number price above the bound",
            "{\"price\":10000000000,\"currency\":\"USD\",\"stock\":5}"),
        Arguments.of(
            "a yen price above the bound",
            "{\"price\":\"1000000000000\",\"currency\":\"JPY\",\"stock\":5}"),
        Arguments.of(
            "a price of 2^63 minor units",
            "{\"price\":\"92233720368547758.08\",\"currency\":\"USD\",\"stock\":5}"),
        Arguments.of("currency XXX", "{\"price\":\"1\",\"currency\":\"XXX\",\"stock\":5}"),
        Arguments.of("currency XAU", "{\"price\":\"1\",\"currency\":\"XAU\",\"stock\":5}"),
        Arguments.of("currency XTS", "{\"price\":\"1\",\"currency\":\"XTS\",\"stock\":5}"),
        Arguments.of("currency XDR", "{\"price\":\"1\",\"currency\":\"XDR\",\"stock\":5}"),
        Arguments.of("currency USN", "{\"price\":\"1.00\",\"currency\":\"USN\",\"stock\":5}"),
        Arguments.of("currency DEM", "{\"price\":\"1.00\",\"currency\":\"DEM\",\"stock\":5}"),
        Arguments.of(
            "a duplicate price",
            "{\"price\":\"1.00\",\"price\":\"2.00\",\"currency\":\"USD\",\"stock\":5}"),
        Arguments.of("a comment", "{\"price\":\"1.00\",/* */\"currency\":\"USD\",\"stock\":5}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badAdminBodies")
  @DisplayName("a bad admin body answers 400, never 500, and leaves the SKU as it was")
  void badAdminBody(String name, String body) {
    assertRefused(putSku(sku, body.getBytes(StandardCharsets.UTF_8)), 400);
  }

  @Test
  @DisplayName("an admin body in UTF-16 answers 400 and leaves the SKU as it was")
  void utf16AdminBody() {
    String body = "{\"price\":\"1.00\",\"currency\":\"USD\",\"stock\":5}";
    assertRefused(putSku(sku, body.getBytes(StandardCharsets.UTF_16)), 400);
  }

  @Test
  @DisplayName(
      "at the highest price and the most units a line holds, the cart and the order are exact")
  void highestPriceIsExact() {
    String top = Gateway.unique("TOP");
    String shopper = Gateway.unique("shopper");
    gateway.putSku(top, MAX_USD, "USD", 999);
    HttpResponse<String> added = gateway.add(shopper, top, 999);
    assertThat(added.statusCode()).isEqualTo(200);
    JsonObject line = new JsonObject(added.body()).getJsonArray("items").getJsonObject(0);
    assertThat(line.getString("unitPrice")).isEqualTo(MAX_USD);
    assertThat(line.getString("currentPrice")).isEqualTo(MAX_USD);
    assertThat(line.getBoolean("priceChanged")).isFalse();
    assertThat(new JsonObject(added.body()).getString("subtotal")).isEqualTo("9989999999990.01");

    HttpResponse<String> order = checkout(shopper, "{}");
    assertThat(order.statusCode()).isEqualTo(201);
    assertThat(new JsonObject(order.body()).getString("subtotal")).isEqualTo("9989999999990.01");
  }

  @Test
  @DisplayName(
      "a price stored before the bound, above 2^53 minor units, is copied into the cart exactly")
  void priceAboveDoublesStaysExact() throws Exception {
    String legacy = Gateway.unique("LEGACY");
    String shopper = Gateway.unique("shopper");
    gateway.putSku(legacy, "1.00", "USD", 10);
    // 2^53 + 1: a double (Lua's number) rounds it to 2^53
    storePrice(legacy, "9007199254740993");
    assertThat(offContract(cartRequest(shopper, legacy, 1)).statusCode()).isEqualTo(200);
    JsonObject line =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> cartLine(shopper),
                item -> "90071992547409.93".equals(item.getString("currentPrice")));
    assertThat(line.getString("unitPrice")).isEqualTo("90071992547409.93");
    assertThat(line.getBoolean("priceChanged")).isFalse();
  }

  @Test
  @DisplayName(
      "a stored price whose subtotal would overflow is refused with 422 before the add, and at"
          + " checkout before anything is sold, never a negative subtotal")
  void overflowIsRefused() throws Exception {
    String legacy = Gateway.unique("LEGACY");
    String shopper = Gateway.unique("shopper");
    gateway.putSku(legacy, "1.00", "USD", 10);
    assertThat(gateway.add(shopper, legacy, 2).statusCode()).isEqualTo(200);
    JsonObject cart = gateway.cart(shopper);
    JsonObject stock = gateway.sku(legacy);
    // 2^62 minor units: two of them leave a long
    storePrice(legacy, "4611686018427387904");

    HttpResponse<String> order =
        offContract(checkoutRequest(shopper, "{\"acceptPriceChanges\":true}"));
    assertProblem(order, 422);
    HttpResponse<String> more = offContract(cartRequest(shopper, legacy, 1));
    assertProblem(more, 422);

    JsonObject after = new JsonObject(offContract(readRequest(shopper)).body());
    assertThat(after.getLong("version")).isEqualTo(cart.getLong("version"));
    assertThat(after.getJsonArray("items").getJsonObject(0).getInteger("quantity")).isEqualTo(2);
    JsonObject stockAfter =
        new JsonObject(offContract(gateway.request("/v1/skus/" + legacy).GET().build()).body());
    assertThat(stockAfter.getLong("reserved")).isEqualTo(stock.getLong("reserved"));
    assertThat(stockAfter.getLong("sold")).isEqualTo(stock.getLong("sold"));
  }

  private void storePrice(String sku, String minorUnits) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      TestServices.get()
          .redisClient(vertx)
          .send(Request.cmd(Command.HSET).arg(RedisKeys.sku(sku)).arg("price").arg(minorUnits))
          .await(5, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(5, TimeUnit.SECONDS);
    }
  }

  private JsonObject cartLine(String shopper) {
    return new JsonObject(offContract(readRequest(shopper)).body())
        .getJsonArray("items")
        .getJsonObject(0);
  }

  /** Prices beyond the documented bound can only come from before it: off the contract. */
  private HttpResponse<String> offContract(HttpRequest request) {
    return gateway.sendOffContract(request);
  }

  private HttpRequest readRequest(String shopper) {
    return gateway
        .request("/v1/cart")
        .header("Authorization", "Bearer " + gateway.userToken(shopper))
        .GET()
        .build();
  }

  private HttpRequest cartRequest(String shopper, String sku, int quantity) {
    return gateway
        .request("/v1/cart/items")
        .header("Authorization", "Bearer " + gateway.userToken(shopper))
        .header("Content-Type", "application/json")
        .POST(
            HttpRequest.BodyPublishers.ofString(
                new JsonObject().put("sku", sku).put("quantity", quantity).encode()))
        .build();
  }

  private HttpRequest checkoutRequest(String shopper, String body) {
    return gateway
        .request("/v1/cart/checkout")
        .header("Authorization", "Bearer " + gateway.userToken(shopper))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", "k-" + UUID.randomUUID())
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private HttpResponse<String> checkout(String shopper, String body) {
    return gateway.send(checkoutRequest(shopper, body));
  }

  private HttpResponse<String> post(String path, byte[] body) {
    return gateway.send(
        gateway
            .request(path)
            .header("Authorization", "Bearer " + gateway.userToken(user))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  private HttpResponse<String> putSku(String sku, byte[] body) {
    return gateway.send(
        gateway
            .request("/v1/admin/skus/" + sku)
            .header("Authorization", "Bearer " + Gateway.ADMIN_TOKEN)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  private void assertRefused(HttpResponse<String> response, int status) {
    assertProblem(response, status);
    assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("validation_failed");
    before.assertUnchanged();
  }

  private static void assertProblem(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonObject problem = new JsonObject(response.body());
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("type")).startsWith("https://");
    assertThat(problem.getString("detail")).isNotBlank();
  }
}
