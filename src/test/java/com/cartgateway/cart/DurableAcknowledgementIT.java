package com.cartgateway.cart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.UnpublishedMarks;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.KafkaEvents;
import com.cartgateway.support.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Invariant 1, first half: a 2xx write is in {@code cart.events} (its version and full state), and
 * a change Kafka did not take is published by the timer role once Kafka is back.
 */
@DisplayName("every acknowledged cart change is on cart.events")
class DurableAcknowledgementIT {
  private static final String EVENTS = "cart.events";
  private final Gateway gateway = Gateway.get();

  @Test
  @DisplayName("add, set, remove and clear each publish the cart's new version and full state")
  void everyWriteIsPublished() {
    String user = Gateway.unique("shopper");
    String a = Gateway.unique("SKU");
    String b = Gateway.unique("SKU");
    gateway.putSku(a, "2.50", "USD", 50);
    gateway.putSku(b, "1.00", "USD", 50);
    List<Long> acknowledged = new ArrayList<>();
    acknowledged.add(version(gateway.add(user, a, 2)));
    acknowledged.add(version(gateway.add(user, b, 1)));
    acknowledged.add(version(write(user, "PUT", "/v1/cart/items/" + a, "{\"quantity\":5}")));
    JsonObject beforeClear =
        new JsonObject(write(user, "DELETE", "/v1/cart/items/" + b, "").body());
    acknowledged.add(beforeClear.getLong("version"));

    List<JsonObject> events =
        KafkaEvents.await(EVENTS, "u:" + user, acknowledged.size(), Duration.ofSeconds(20));
    assertThat(events).extracting(e -> e.getLong("version")).containsAll(acknowledged);
    JsonObject last = newest(events);
    assertThat(last.getLong("version")).isEqualTo(beforeClear.getLong("version"));
    assertThat(last.getJsonObject("owner").getString("type")).isEqualTo("user");
    assertThat(last.getString("currency")).isEqualTo("USD");
    JsonArray lines = last.getJsonArray("lines");
    assertThat(lines).hasSize(1);
    assertThat(lines.getJsonObject(0).getString("sku")).isEqualTo(a);
    assertThat(lines.getJsonObject(0).getInteger("quantity")).isEqualTo(5);
    assertThat(lines.getJsonObject(0).getLong("unitPrice")).isEqualTo(250);
    assertThat(lines.getJsonObject(0).getInteger("held")).isEqualTo(5);

    long cleared = version(write(user, "DELETE", "/v1/cart", ""));
    JsonObject emptied =
        newest(KafkaEvents.await(EVENTS, "u:" + user, events.size() + 1, Duration.ofSeconds(20)));
    assertThat(emptied.getLong("version")).isEqualTo(cleared);
    assertThat(emptied.getJsonArray("lines")).isEmpty();
    assertThat(unpublished("u:" + user)).as("nothing left to republish").isEmpty();
  }

  @Test
  @DisplayName("a refused write publishes nothing and leaves nothing to republish")
  void refusedWritePublishesNothing() {
    String user = Gateway.unique("shopper");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 1);
    assertThat(gateway.add(user, sku, 1).statusCode()).isEqualTo(200);
    String other = Gateway.unique("shopper");
    assertThat(gateway.add(other, sku, 1).statusCode()).isEqualTo(409);

    assertThat(KafkaEvents.of(EVENTS, "u:" + other, Duration.ofSeconds(2))).isEmpty();
    assertThat(unpublished("u:" + other)).isEmpty();
  }

  @Test
  @DisplayName("a merge publishes the shopper's merged cart and the guest cart's empty tombstone")
  void mergePublishesBothCarts() {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "3.00", "USD", 20);
    String session = MergeIT.guestWith(gateway, sku, "2");
    long guestVersion = new JsonObject(guestCart(session)).getLong("version");
    String user = Gateway.unique("shopper");
    HttpResponse<String> merged = MergeIT.merge(gateway, user, session);
    assertThat(merged.statusCode()).isEqualTo(200);

    JsonObject userEvent =
        newest(KafkaEvents.await(EVENTS, "u:" + user, 1, Duration.ofSeconds(20)));
    assertThat(userEvent.getLong("version")).isEqualTo(version(merged));
    assertThat(userEvent.getJsonArray("lines").getJsonObject(0).getInteger("quantity"))
        .isEqualTo(2);
    JsonObject tombstone =
        newest(KafkaEvents.await(EVENTS, "g:" + session, 2, Duration.ofSeconds(20)));
    assertThat(tombstone.getLong("version"))
        .as("the tombstone supersedes every earlier version of the guest cart")
        .isEqualTo(guestVersion + 1);
    assertThat(tombstone.getJsonArray("lines")).isEmpty();
  }

  @Test
  @DisplayName("a checkout publishes the emptied cart before it answers 201")
  void checkoutPublishesTheEmptiedCart() {
    String user = Gateway.unique("shopper");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "4.00", "USD", 10);
    long added = version(gateway.add(user, sku, 3));
    HttpResponse<String> placed =
        gateway.send(
            gateway
                .request("/v1/cart/checkout")
                .header("Authorization", "Bearer " + gateway.userToken(user))
                .header("Idempotency-Key", "co-" + UUID.randomUUID())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build());
    assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);

    JsonObject emptied = newest(KafkaEvents.await(EVENTS, "u:" + user, 2, Duration.ofSeconds(20)));
    assertThat(emptied.getLong("version")).isGreaterThan(added);
    assertThat(emptied.getJsonArray("lines")).isEmpty();
  }

  @Test
  @DisplayName(
      "with Kafka down a write answers 503 and stays applied; a retry with its key adds nothing more,"
          + " and once Kafka is back the timer publishes the change without another write")
  void kafkaDownThenRepublished() throws Exception {
    Gateway gateway =
        Gateway.start(
            Map.of(
                "CART_ROLES",
                "http,timer",
                "CART_HOLD_SWEEP_MILLIS",
                "500",
                "CART_REQUEST_TIMEOUT_MILLIS",
                "3000"));
    try {
      String user = Gateway.unique("shopper");
      String sku = Gateway.unique("SKU");
      gateway.putSku(sku, "1.50", "USD", 30);
      assertThat(gateway.add(user, sku, 1).statusCode()).isEqualTo(200);
      String key = "add-" + UUID.randomUUID();
      String body = new JsonObject().put("sku", sku).put("quantity", 2).encode();

      AutoCloseable kafkaDown = TestServices.get().kafkaDown();
      HttpResponse<String> down;
      JsonObject applied;
      try {
        down = add(gateway, user, key, body);
        // past the producer's delivery timeout: the event is given up, only the mark remains
        sleep(gateway.config().kafka().deliveryTimeout().toMillis());
        applied = gateway.cart(user);
        assertThat(unpublished("u:" + user)).as("marked for the republisher").isNotEmpty();
      } finally {
        kafkaDown.close();
      }
      assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
      assertThat(down.headers().firstValue("Retry-After")).isPresent();
      assertThat(applied.getJsonArray("items").getJsonObject(0).getInteger("quantity"))
          .as("the change stays applied: Redis is not rolled back")
          .isEqualTo(3);

      List<JsonObject> events =
          KafkaEvents.await(EVENTS, "u:" + user, 2, Duration.ofSeconds(40)).stream()
              .filter(e -> e.getLong("version") == applied.getLong("version"))
              .toList();
      assertThat(events).as("published by the timer, with no further write").isNotEmpty();
      assertThat(events.get(0).getJsonArray("lines").getJsonObject(0).getInteger("quantity"))
          .isEqualTo(3);
      awaitNoUnpublished("u:" + user);

      HttpResponse<String> retried = add(gateway, user, key, body);
      assertThat(retried.statusCode()).isEqualTo(200);
      assertThat(
              new JsonObject(retried.body())
                  .getJsonArray("items")
                  .getJsonObject(0)
                  .getInteger("quantity"))
          .as("the retry under the same key does not add twice")
          .isEqualTo(3);
      assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(3);
    } finally {
      gateway.close();
    }
  }

  private HttpResponse<String> add(Gateway gateway, String user, String key, String body) {
    return gateway.send(
        gateway
            .request("/v1/cart/items")
            .header("Authorization", "Bearer " + gateway.userToken(user))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private HttpResponse<String> write(String user, String method, String path, String body) {
    HttpResponse<String> response =
        gateway.send(
            gateway
                .request(path)
                .header("Authorization", "Bearer " + gateway.userToken(user))
                .header("Content-Type", "application/json")
                .method(
                    method,
                    body.isEmpty()
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response;
  }

  private String guestCart(String session) {
    return gateway
        .send(gateway.request("/v1/cart").header("X-Cart-Session", session).GET().build())
        .body();
  }

  private static long version(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body()).getLong("version");
  }

  private static JsonObject newest(List<JsonObject> events) {
    assertThat(events).isNotEmpty();
    return events.stream()
        .max(java.util.Comparator.comparingLong(e -> e.getLong("version")))
        .orElseThrow();
  }

  private static void awaitNoUnpublished(String cartId) {
    await("the republisher cleared the entries")
        .atMost(Duration.ofSeconds(20))
        .until(() -> unpublished(cartId).isEmpty());
  }

  /** The entries of the unpublished index that name the cart. */
  private static List<String> unpublished(String cartId) {
    Vertx vertx = Vertx.vertx();
    try {
      Redis redis = TestServices.get().redisClient(vertx);
      Response entries =
          redis
              .send(
                  Request.cmd(Command.ZRANGE)
                      .arg(RedisKeys.unpublishedShardOf(cartId))
                      .arg(0)
                      .arg(-1))
              .await(5, TimeUnit.SECONDS);
      List<String> mine = new ArrayList<>();
      for (Response entry : entries) {
        if (UnpublishedMarks.idOf(entry.toString()).equals(cartId)) {
          mine.add(entry.toString());
        }
      }
      redis.close();
      return mine;
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Redis did not answer", e);
    } finally {
      vertx.close();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
