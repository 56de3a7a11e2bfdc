package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.support.Gateway;
import com.cartgateway.support.OneLineCart;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Invariant 6: bad input answers problem+json 4xx and changes nothing. */
@DisplayName("bad input changes nothing")
class BadInputIT {
  private static final String LONG_SKU = "S".repeat(65);

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

  static Stream<Arguments> badAdds() {
    return Stream.of(
        Arguments.of("quantity 0", "{\"sku\":\"%s\",\"quantity\":0}", 400),
        Arguments.of("quantity 1000", "{\"sku\":\"%s\",\"quantity\":1000}", 400),
        Arguments.of("quantity \"2\"", "{\"sku\":\"%s\",\"quantity\":\"2\"}", 400),
        Arguments.of("quantity 2.5", "{\"sku\":\"%s\",\"quantity\":2.5}", 400),
        Arguments.of("quantity null", "{\"sku\":\"%s\",\"quantity\":null}", 400),
        Arguments.of("quantity missing", "{\"sku\":\"%s\"}", 400),
        Arguments.of("negative quantity", "{\"sku\":\"%s\",\"quantity\":-1}", 400),
        Arguments.of("sku with bad characters", "{\"sku\":\"a b/%s\",\"quantity\":1}", 400),
        Arguments.of("sku of 65 characters", "{\"sku\":\"" + LONG_SKU + "\",\"quantity\":1}", 400),
        Arguments.of("sku missing", "{\"quantity\":1}", 400),
        Arguments.of(
            "variant not an object", "{\"sku\":\"%s\",\"quantity\":1,\"variant\":[1]}", 400),
        Arguments.of(
            "variant over 1 KiB",
            "{\"sku\":\"%s\",\"quantity\":1,\"variant\":{\"x\":\"" + "v".repeat(1100) + "\"}}",
            400),
        Arguments.of("malformed JSON", "{\"sku\":\"%s\",", 400),
        Arguments.of("a JSON array", "[1,2]", 400),
        Arguments.of("an empty body", "", 400),
        Arguments.of("a line over 999 units", "{\"sku\":\"%s\",\"quantity\":998}", 422));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badAdds")
  @DisplayName("a bad add answers a problem and leaves cart and stock unchanged")
  void badAdd(String name, String body, int status) {
    HttpResponse<String> response = post("/v1/cart/items", body.formatted(sku), "application/json");
    assertProblem(response, status);
    assertUnchanged();
  }

  static Stream<Arguments> badSets() {
    return Stream.of(
        Arguments.of("quantity 0", "{\"quantity\":0}"),
        Arguments.of("quantity 1000", "{\"quantity\":1000}"),
        Arguments.of("quantity \"2\"", "{\"quantity\":\"2\"}"),
        Arguments.of("quantity 2.5", "{\"quantity\":2.5}"),
        Arguments.of("quantity null", "{\"quantity\":null}"),
        Arguments.of("quantity missing", "{}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSets")
  @DisplayName("a bad PUT answers 400 and leaves cart and stock unchanged")
  void badSet(String name, String body) {
    HttpResponse<String> response =
        gateway.send(
            gateway
                .request("/v1/cart/items/" + sku)
                .header("Authorization", "Bearer " + gateway.userToken(user))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build());
    assertProblem(response, 400);
    assertUnchanged();
  }

  @Test
  @DisplayName("a body that is not JSON answers 415")
  void wrongContentType() {
    HttpResponse<String> response =
        post("/v1/cart/items", "sku=" + sku + "&quantity=1", "application/x-www-form-urlencoded");
    assertProblem(response, 415);
    assertThat(new JsonObject(response.body()).getString("code"))
        .isEqualTo("unsupported_media_type");
    assertUnchanged();
  }

  @Test
  @DisplayName("a 17 KiB body answers 413")
  void oversizeBody() {
    String body =
        "{\"sku\":\"" + sku + "\",\"quantity\":1,\"pad\":\"" + "x".repeat(17 * 1024) + "\"}";
    HttpResponse<String> response = post("/v1/cart/items", body, "application/json");
    assertProblem(response, 413);
    assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("payload_too_large");
    assertUnchanged();
  }

  @Test
  @DisplayName("a 101st line answers 422 cart_full and holds nothing")
  void hundredAndFirstLine() {
    String full = Gateway.unique("shopper");
    String bulk = Gateway.unique("BULK");
    IntStream.range(0, 100).forEach(i -> gateway.putSku(bulk + "-" + i, "1.00", "USD", 5));
    IntStream.range(0, 100)
        .forEach(i -> assertThat(gateway.add(full, bulk + "-" + i, 1).statusCode()).isEqualTo(200));
    String extra = bulk + "-extra";
    gateway.putSku(extra, "1.00", "USD", 5);
    JsonObject before = gateway.cart(full);
    HttpResponse<String> response = gateway.add(full, extra, 1);
    assertProblem(response, 422);
    assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("cart_full");
    assertThat(gateway.cart(full)).isEqualTo(before);
    assertThat(gateway.sku(extra).getLong("reserved")).isZero();
    assertThat(gateway.sku(extra).getLong("available")).isEqualTo(5);
  }

  @Test
  @DisplayName("a malformed If-Match answers 400")
  void malformedIfMatch() {
    HttpResponse<String> response =
        gateway.send(
            gateway
                .request("/v1/cart/items")
                .header("Authorization", "Bearer " + gateway.userToken(user))
                .header("Content-Type", "application/json")
                .header("If-Match", "seven")
                .POST(
                    HttpRequest.BodyPublishers.ofString("{\"sku\":\"" + sku + "\",\"quantity\":1}"))
                .build());
    assertProblem(response, 400);
    assertUnchanged();
  }

  @Test
  @DisplayName("bad admin bodies answer 400 and leave the SKU as it was")
  void badAdminBodies() {
    for (String body :
        new String[] {
          "{\"price\":\"1.234\",\"currency\":\"USD\",\"stock\":5}",
          "{\"price\":\"-1\",\"currency\":\"USD\",\"stock\":5}",
          "{\"price\":\"1.00\",\"currency\":\"usd\",\"stock\":5}",
          "{\"price\":\"1.00\",\"currency\":\"USD\",\"stock\":-5}",
          "{\"price\":\"1.00\",\"currency\":\"USD\",\"stock\":2.5}",
          "{\"price\":\"1.00\",\"currency\":\"USD\"}"
        }) {
      HttpResponse<String> response =
          gateway.send(
              gateway
                  .request("/v1/admin/skus/" + sku)
                  .header("Authorization", "Bearer " + Gateway.ADMIN_TOKEN)
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofString(body))
                  .build());
      assertProblem(response, 400);
    }
    assertUnchanged();
  }

  @Test
  @DisplayName("stock below the units held answers 422 and changes nothing")
  void stockBelowHeld() {
    HttpResponse<String> response =
        gateway.send(
            gateway
                .request("/v1/admin/skus/" + sku)
                .header("Authorization", "Bearer " + Gateway.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"price\":\"10.00\",\"currency\":\"USD\",\"stock\":1}"))
                .build());
    assertProblem(response, 422);
    assertUnchanged();
  }

  private HttpResponse<String> post(String path, String body, String contentType) {
    return gateway.send(
        gateway
            .request(path)
            .header("Authorization", "Bearer " + gateway.userToken(user))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private static void assertProblem(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonObject problem = new JsonObject(response.body());
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("code")).isNotBlank();
    assertThat(problem.getString("type")).startsWith("https://");
    assertThat(problem.getString("title")).isNotBlank();
    assertThat(problem.getString("detail")).isNotBlank();
  }

  private void assertUnchanged() {
    before.assertUnchanged();
  }
}
