package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.support.Gateway;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("holds stay exact under concurrency")
class StockConcurrencyIT {
  private final Gateway gateway = Gateway.get();

  private CompletableFuture<HttpResponse<String>> addAsync(String user, String sku) {
    HttpRequest request =
        gateway
            .request("/v1/cart/items")
            .header("Authorization", "Bearer " + gateway.userToken(user))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    new JsonObject().put("sku", sku).put("quantity", 1).encode()))
            .build();
    return gateway.http().sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("20 concurrent adds of 1 to one cart give quantity 20 and 20 units held")
  void concurrentAddsToOneCart() {
    String user = Gateway.unique("shopper");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 100);
    List<HttpResponse<String>> responses =
        IntStream.range(0, 20).mapToObj(i -> addAsync(user, sku)).toList().stream()
            .map(CompletableFuture::join)
            .toList();
    assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
    JsonObject cart = gateway.cart(user);
    assertThat(cart.getJsonArray("items").getJsonObject(0).getInteger("quantity")).isEqualTo(20);
    assertThat(cart.getLong("version")).isEqualTo(20);
    JsonObject stock = gateway.sku(sku);
    assertThat(stock.getLong("reserved")).isEqualTo(20);
    assertThat(stock.getLong("available")).isEqualTo(80);
  }

  @Test
  @DisplayName(
      "48 concurrent sets of one line: each applies or is refused 409 with Retry-After, never a 5xx,"
          + " and the SKU holds what the line shows as held")
  void concurrentSetsOfOneLine() {
    String user = Gateway.unique("shopper");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 1_000);
    assertThat(addAsync(user, sku).join().statusCode()).isEqualTo(200);
    List<HttpResponse<String>> responses =
        IntStream.rangeClosed(1, 48).mapToObj(q -> setAsync(user, sku, q)).toList().stream()
            .map(CompletableFuture::join)
            .toList();
    assertThat(responses)
        .allSatisfy(
            r -> {
              if (r.statusCode() != 200) {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
                assertThat(new JsonObject(r.body()).getString("code"))
                    .isEqualTo("request_in_progress");
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
              }
            });
    List<Integer> applied =
        responses.stream()
            .filter(r -> r.statusCode() == 200)
            .map(
                r ->
                    new JsonObject(r.body())
                        .getJsonArray("items")
                        .getJsonObject(0)
                        .getInteger("quantity"))
            .toList();
    assertThat(applied).isNotEmpty();
    JsonObject line = gateway.cart(user).getJsonArray("items").getJsonObject(0);
    assertThat(applied).contains(line.getInteger("quantity"));
    // Every unit the line shows as held is held on the SKU, and no other: a set that lost its race
    // gave its hold change back. Units a racing set could not hold under the cap stay unheld.
    long held = line.getJsonObject("reservation").getLong("quantity");
    assertThat(held).isBetween(1L, Math.min(line.getInteger("quantity"), 20L));
    JsonObject stock = gateway.sku(sku);
    assertThat(stock.getLong("reserved")).isEqualTo(held);
    assertThat(stock.getLong("available")).isEqualTo(1_000 - held);
  }

  private CompletableFuture<HttpResponse<String>> setAsync(String user, String sku, int quantity) {
    HttpRequest request =
        gateway
            .request("/v1/cart/items/" + sku)
            .header("Authorization", "Bearer " + gateway.userToken(user))
            .header("Content-Type", "application/json")
            .PUT(
                HttpRequest.BodyPublishers.ofString(
                    new JsonObject().put("quantity", quantity).encode()))
            .build();
    return gateway.http().sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("30 shoppers adding 1 of a SKU with stock 5: exactly 5 succeed, 25 are out of stock")
  void noOversell() {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "9.99", "USD", 5);
    List<String> users = IntStream.range(0, 30).mapToObj(i -> Gateway.unique("shopper")).toList();
    List<HttpResponse<String>> responses =
        users.stream().map(u -> addAsync(u, sku)).toList().stream()
            .map(CompletableFuture::join)
            .toList();
    assertThat(responses.stream().filter(r -> r.statusCode() == 200)).hasSize(5);
    List<HttpResponse<String>> refused =
        responses.stream().filter(r -> r.statusCode() != 200).toList();
    assertThat(refused).hasSize(25);
    assertThat(refused)
        .allSatisfy(
            r -> {
              assertThat(r.statusCode()).isEqualTo(409);
              assertThat(new JsonObject(r.body()).getString("code")).isEqualTo("out_of_stock");
              assertThat(new JsonObject(r.body()).getLong("available")).isZero();
            });
    JsonObject stock = gateway.sku(sku);
    assertThat(stock.getLong("available")).isZero();
    assertThat(stock.getLong("reserved")).isEqualTo(5);
  }
}
