package com.cartgateway.cart;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.events.Topics;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.TestServices;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("checkout: strongly consistent, idempotent, and never oversold")
class CheckoutIT {
  private final Gateway gateway = Gateway.get();

  static HttpResponse<String> checkout(Gateway gateway, String user, String key, String body) {
    HttpRequest.Builder request =
        gateway
            .request("/v1/cart/checkout")
            .header("Authorization", "Bearer " + gateway.userToken(user));
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return gateway.send(
        request
            .POST(
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  @Test
  @DisplayName("a checkout sells the held units, empties the cart, and writes the order to Kafka")
  void placesAnOrder() {
    String user = Gateway.unique("shopper");
    String a = Gateway.unique("SKU");
    String b = Gateway.unique("SKU");
    gateway.putSku(a, "10.00", "USD", 5);
    gateway.putSku(b, "0.99", "USD", 50);
    gateway.add(user, a, 2);
    gateway.add(user, b, 3);

    HttpResponse<String> placed = checkout(gateway, user, "k-" + UUID.randomUUID(), null);
    assertThat(placed.statusCode()).isEqualTo(201);
    JsonObject order = new JsonObject(placed.body());
    assertThat(order.getString("orderId")).isNotBlank();
    assertThat(order.getString("subtotal")).isEqualTo("22.97");
    assertThat(order.getString("currency")).isEqualTo("USD");
    assertThat(order.getJsonArray("items")).hasSize(2);

    JsonObject cart = gateway.cart(user);
    assertThat(cart.getJsonArray("items")).isEmpty();
    assertThat(cart.getLong("version")).isEqualTo(3);
    JsonObject stock = gateway.sku(a);
    assertThat(stock.getLong("sold")).isEqualTo(2);
    assertThat(stock.getLong("reserved")).isZero();
    assertThat(stock.getLong("available")).isEqualTo(3);

    JsonObject event = readOrderEvent("u:" + user, order.getString("orderId"));
    assertThat(event.getJsonArray("items")).isEqualTo(order.getJsonArray("items"));
    assertThat(event.getString("subtotal")).isEqualTo("22.97");
    assertThat(event.getJsonObject("owner"))
        .isEqualTo(new JsonObject().put("type", "user").put("id", user));
  }

  @Test
  @DisplayName("checkout needs an Idempotency-Key; an empty cart is refused with 422")
  void needsKeyAndLines() {
    String user = Gateway.unique("shopper");
    assertThat(checkout(gateway, user, null, null).statusCode()).isEqualTo(400);
    HttpResponse<String> empty = checkout(gateway, user, "k-" + UUID.randomUUID(), null);
    assertThat(empty.statusCode()).isEqualTo(422);
  }

  @Test
  @DisplayName(
      "a retry with the same key (after a timeout) gets the same order and sells nothing more")
  void retryGivesSameOrder() {
    String user = Gateway.unique("shopper");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "3.00", "USD", 10);
    gateway.add(user, sku, 4);
    String key = "k-" + UUID.randomUUID();
    HttpResponse<String> first = checkout(gateway, user, key, "{}");
    HttpResponse<String> again = checkout(gateway, user, key, "{}");
    assertThat(again.statusCode()).isEqualTo(first.statusCode()).isEqualTo(201);
    assertThat(new JsonObject(again.body())).isEqualTo(new JsonObject(first.body()));
    assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(gateway.sku(sku).getLong("sold")).isEqualTo(4);

    HttpResponse<String> reused = checkout(gateway, user, key, "{\"acceptPriceChanges\":true}");
    assertThat(reused.statusCode()).isEqualTo(422);
    assertThat(new JsonObject(reused.body()).getString("code")).isEqualTo("idempotency_key_reused");
  }

  @Test
  @DisplayName(
      "a changed price needs consent: 409 price_changed commits nothing; accepted, the order takes the new price")
  void priceChangeNeedsConsent() {
    String user = Gateway.unique("shopper");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "5.00", "USD", 10);
    gateway.add(user, sku, 2);
    gateway.putSku(sku, "6.00", "USD", 10);
    JsonObject before = gateway.cart(user);
    JsonObject stockBefore = gateway.sku(sku);

    HttpResponse<String> refused = checkout(gateway, user, "k-" + UUID.randomUUID(), null);
    assertThat(refused.statusCode()).isEqualTo(409);
    JsonObject problem = new JsonObject(refused.body());
    assertThat(problem.getString("code")).isEqualTo("price_changed");
    assertThat(problem.getJsonArray("changes").getJsonObject(0))
        .isEqualTo(
            new JsonObject().put("sku", sku).put("unitPrice", "5.00").put("currentPrice", "6.00"));
    assertThat(gateway.cart(user)).isEqualTo(before);
    assertThat(gateway.sku(sku)).isEqualTo(stockBefore);

    HttpResponse<String> accepted =
        checkout(gateway, user, "k-" + UUID.randomUUID(), "{\"acceptPriceChanges\":true}");
    assertThat(accepted.statusCode()).isEqualTo(201);
    assertThat(new JsonObject(accepted.body()).getString("subtotal")).isEqualTo("12.00");
  }

  @Test
  @DisplayName("two concurrent checkouts of one cart make one order")
  void concurrentCheckoutsOfOneCart() {
    String user = Gateway.unique("shopper");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 10);
    gateway.add(user, sku, 3);
    List<HttpResponse<String>> answers =
        IntStream.range(0, 4)
            .mapToObj(
                i ->
                    CompletableFuture.supplyAsync(
                        () -> checkout(gateway, user, "k-" + UUID.randomUUID(), null)))
            .toList()
            .stream()
            .map(CompletableFuture::join)
            .toList();
    assertThat(answers.stream().filter(r -> r.statusCode() == 201)).hasSize(1);
    assertThat(answers.stream().filter(r -> r.statusCode() != 201))
        .allSatisfy(r -> assertThat(r.statusCode()).isIn(409, 422));
    JsonObject stock = gateway.sku(sku);
    assertThat(stock.getLong("sold")).isEqualTo(3);
    assertThat(stock.getLong("reserved")).isZero();
    assertThat(stock.getLong("available")).isEqualTo(7);
  }

  @Test
  @DisplayName(
      "N shoppers holding the last N units all buy; shoppers whose holds lapsed do not oversell")
  void lastUnitsRace() throws Exception {
    Gateway shortHolds =
        Gateway.start(Map.of("CART_ROLES", "http", "CART_RESERVATION_TTL_SECONDS", "2"));
    try {
      String sku = Gateway.unique("SKU");
      shortHolds.putSku(sku, "2.00", "USD", 6);
      List<String> lapsed = IntStream.range(0, 3).mapToObj(i -> Gateway.unique("late")).toList();
      for (String user : lapsed) {
        assertThat(shortHolds.add(user, sku, 1).statusCode()).isEqualTo(200);
      }
      Thread.sleep(2_300); // their holds lapse; no timer runs, so the units are still reserved
      List<String> holders = IntStream.range(0, 3).mapToObj(i -> Gateway.unique("holder")).toList();
      for (String user : holders) {
        assertThat(shortHolds.add(user, sku, 1).statusCode()).isEqualTo(200);
      }
      List<String> everyone = new java.util.ArrayList<>(holders);
      everyone.addAll(lapsed);
      // the late shoppers add again after the holders: nothing is left for them to hold
      List<HttpResponse<String>> answers =
          everyone.stream()
              .map(
                  user ->
                      CompletableFuture.supplyAsync(
                          () -> checkout(shortHolds, user, "k-" + UUID.randomUUID(), null)))
              .toList()
              .stream()
              .map(CompletableFuture::join)
              .toList();
      long placed = answers.stream().filter(r -> r.statusCode() == 201).count();
      JsonObject stock = shortHolds.sku(sku);
      assertThat(stock.getLong("sold")).isEqualTo(placed);
      assertThat(placed)
          .isEqualTo(6)
          .as("stock 6: the lapsed holds are re-reserved, as stock allows");
      assertThat(stock.getLong("available")).isZero();
      assertThat(stock.getLong("available") + stock.getLong("reserved") + stock.getLong("sold"))
          .isEqualTo(6);
    } finally {
      shortHolds.close();
    }
  }

  @Test
  @DisplayName(
      "lapsed units are free for others at once, and the lapsed cart's checkout answers 409 out_of_stock")
  void lapsedAndTaken() throws Exception {
    Gateway shortHolds =
        Gateway.start(Map.of("CART_ROLES", "http", "CART_RESERVATION_TTL_SECONDS", "1"));
    try {
      String sku = Gateway.unique("SKU");
      shortHolds.putSku(sku, "2.00", "USD", 2);
      String late = Gateway.unique("late");
      String quick = Gateway.unique("quick");
      shortHolds.add(late, sku, 2);
      Thread.sleep(1_500);
      assertThat(shortHolds.sku(sku).getLong("available")).as("no timer has run").isZero();
      assertThat(shortHolds.add(quick, sku, 2).statusCode()).isEqualTo(200);
      HttpResponse<String> refused = checkout(shortHolds, late, "k-" + UUID.randomUUID(), null);
      assertThat(refused.statusCode()).isEqualTo(409);
      JsonObject problem = new JsonObject(refused.body());
      assertThat(problem.getString("code")).isEqualTo("out_of_stock");
      assertThat(problem.getJsonArray("skus").getJsonObject(0).getString("sku")).isEqualTo(sku);
      assertThat(checkout(shortHolds, quick, "k-" + UUID.randomUUID(), null).statusCode())
          .isEqualTo(201);
      JsonObject stock = shortHolds.sku(sku);
      assertThat(stock.getLong("sold")).isEqualTo(2);
      assertThat(stock.getLong("available") + stock.getLong("reserved")).isZero();
    } finally {
      shortHolds.close();
    }
  }

  @Test
  @DisplayName(
      "with Kafka down a checkout answers 503; the retry with the same key places that same order once")
  void kafkaDownThenRetry() throws Exception {
    String user = Gateway.unique("shopper");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "7.00", "USD", 10);
    gateway.add(user, sku, 2);
    String key = "k-" + UUID.randomUUID();
    HttpResponse<String> down;
    try (AutoCloseable kafkaDown = TestServices.get().kafkaDown()) {
      down = checkout(gateway, user, key, null);
    }
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(down.headers().firstValue("Retry-After")).isPresent();
    // The Kafka circuit opened meanwhile; it closes once a background check reaches Kafka again.
    gateway.awaitWritable();
    HttpResponse<String> retried = retryWhileInProgress(() -> checkout(gateway, user, key, null));
    assertThat(retried.statusCode()).isEqualTo(201);
    JsonObject order = new JsonObject(retried.body());
    assertThat(gateway.sku(sku).getLong("sold")).isEqualTo(2);
    assertThat(readOrderEvent("u:" + user, order.getString("orderId")).getString("subtotal"))
        .isEqualTo("14.00");
    assertThat(checkout(gateway, user, key, null).body()).isEqualTo(retried.body());
  }

  @Test
  @DisplayName("every write honours Idempotency-Key: a replayed add changes nothing")
  void idempotentAdd() {
    String user = Gateway.unique("shopper");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 10);
    String key = "add-" + UUID.randomUUID();
    String body = new JsonObject().put("sku", sku).put("quantity", 2).encode();
    HttpResponse<String> first = add(user, key, body);
    HttpResponse<String> replay = add(user, key, body);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(replay.statusCode()).isEqualTo(200);
    assertThat(replay.body()).isEqualTo(first.body());
    assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(replay.headers().firstValue("ETag")).isEqualTo(first.headers().firstValue("ETag"));
    assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(2);
    HttpResponse<String> other =
        add(user, key, new JsonObject().put("sku", sku).put("quantity", 3).encode());
    assertThat(other.statusCode()).isEqualTo(422);
    assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(2);
  }

  private HttpResponse<String> add(String user, String key, String body) {
    return gateway.send(
        gateway
            .request("/v1/cart/items")
            .header("Authorization", "Bearer " + gateway.userToken(user))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  /**
   * Sends a request again, after its Retry-After, for as long as it answers 409
   * request_in_progress, as a careful client does: a request whose deadline answered 503 may still
   * be finishing (here, its Kafka send waits for the broker to come back).
   */
  private static HttpResponse<String> retryWhileInProgress(Supplier<HttpResponse<String>> request) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    HttpResponse<String> response = request.get();
    while (response.statusCode() == 409
        && new JsonObject(response.body()).getString("code").equals("request_in_progress")) {
      assertThat(System.nanoTime()).as("the first request finished in time").isLessThan(deadline);
      long wait = Long.parseLong(response.headers().firstValue("Retry-After").orElse("1"));
      try {
        Thread.sleep(TimeUnit.SECONDS.toMillis(wait));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      response = request.get();
    }
    return response;
  }

  private static JsonObject readOrderEvent(String cartId, String orderId) {
    Map<String, Object> settings =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            TestServices.get().kafkaBootstrap(),
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(settings)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.CHECKOUTS).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Instant deadline = Instant.now().plusSeconds(15);
      while (Instant.now().isBefore(deadline)) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          JsonObject value = new JsonObject(record.value());
          if (orderId.equals(value.getString("orderId"))) {
            assertThat(record.key()).isEqualTo(cartId);
            return value;
          }
        }
      }
    }
    throw new AssertionError("order " + orderId + " not found on " + Topics.CHECKOUTS);
  }
}
