package com.cartgateway.cart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.dynamo.DynamoCarts;
import com.cartgateway.dynamo.DynamoTables;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.support.CartBodies;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/**
 * Invariant 2: a cart Redis lost is rebuilt from DynamoDB only once the worker has persisted every
 * acknowledged change of it; until then a write answers 503, and no acknowledged line vanishes.
 */
@DisplayName("rebuild only from a caught-up store")
class RedisLossIT {
  private static Vertx vertx;
  private static Redis redis;
  private static DynamoDbAsyncClient dynamoClient;
  private static DynamoCarts dynamo;
  private final Gateway gateway = Gateway.get();

  @BeforeAll
  static void clients() {
    vertx = Vertx.vertx();
    redis = Redis.createClient(vertx, TestServices.get().redisUrl());
    dynamoClient = DynamoTables.client(Gateway.get().config().dynamoDb());
    dynamo = new DynamoCarts(dynamoClient, Gateway.get().config().dynamoDb().cartsTable());
  }

  @AfterAll
  static void close() {
    Gateway.get().awaitWritable();
    dynamoClient.close();
    vertx.close();
  }

  @Test
  @DisplayName(
      "after Redis is flushed, a read shows DynamoDB's copy and the next write continues from it")
  void flushedThenRebuilt() throws Exception {
    String user = Gateway.unique("shopper");
    String a = Gateway.unique("SKU");
    String b = Gateway.unique("SKU");
    gateway.putSku(a, "2.00", "USD", 10);
    long acknowledged = CartBodies.version(gateway.add(user, a, 2));
    CartBodies.awaitDurable(dynamo, "u:" + user, acknowledged);
    long ttl = send(Request.cmd(Command.PTTL).arg(RedisKeys.cart("u:" + user))).toLong();
    assertThat(ttl)
        .as("Redis keeps the cart for the hot-set idle time")
        .isPositive()
        .isLessThanOrEqualTo(gateway.config().cart().hotIdle().toMillis());

    send(Request.cmd(Command.FLUSHALL));
    gateway.putSku(a, "2.00", "USD", 10);
    gateway.putSku(b, "1.00", "USD", 10);

    JsonObject read = gateway.cart(user);
    assertThat(read.getLong("version")).isEqualTo(acknowledged);
    assertThat(CartBodies.quantities(read)).isEqualTo(Map.of(a, 2));
    HttpResponse<String> next =
        await("a write once the worker caught up")
            .atMost(Duration.ofSeconds(60))
            .until(() -> gateway.add(user, b, 1), answer -> answer.statusCode() != 503);
    assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
    JsonObject cart = new JsonObject(next.body());
    assertThat(CartBodies.quantities(cart)).isEqualTo(Map.of(a, 2, b, 1));
    assertThat(cart.getLong("version")).isGreaterThan(acknowledged);
    CartBodies.awaitDurable(dynamo, "u:" + user, cart.getLong("version"));
  }

  @Test
  @DisplayName(
      "while the worker has not persisted an acknowledged change, a write to the lost cart answers"
          + " 503, and once it has, the change is there")
  void writeWaitsForTheWorker() throws Exception {
    String user = Gateway.unique("shopper");
    String a = Gateway.unique("SKU");
    String b = Gateway.unique("SKU");
    gateway.putSku(a, "2.00", "USD", 10);
    gateway.putSku(b, "1.00", "USD", 10);
    CartBodies.awaitDurable(dynamo, "u:" + user, CartBodies.version(gateway.add(user, a, 1)));

    long unpersisted;
    try (AutoCloseable unreachable = TestServices.suspend(TestServices.get().dynamoDb())) {
      unpersisted = CartBodies.version(gateway.add(user, a, 1));
      send(Request.cmd(Command.FLUSHALL));
      gateway.putSku(a, "2.00", "USD", 10);
      gateway.putSku(b, "1.00", "USD", 10);

      HttpResponse<String> refused = gateway.add(user, b, 1);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    }

    HttpResponse<String> later =
        await("a write once the worker caught up")
            .atMost(Duration.ofSeconds(60))
            .until(() -> gateway.add(user, b, 1), answer -> answer.statusCode() != 503);
    assertThat(later.statusCode()).as(later.body()).isEqualTo(200);
    JsonObject cart = new JsonObject(later.body());
    assertThat(CartBodies.quantities(cart))
        .as("the change acknowledged before Redis lost the cart is not lost")
        .isEqualTo(Map.of(a, 2, b, 1));
    assertThat(cart.getLong("version")).isGreaterThan(unpersisted);
    CartBodies.awaitDurable(dynamo, "u:" + user, cart.getLong("version"));
  }

  @Test
  @DisplayName(
      "after Redis lost its data, even a new cart waits out the publish window: a change applied"
          + " just before the loss may still be on its way to Kafka")
  void newCartWaitsForThePublishWindow() throws Exception {
    String sku = Gateway.unique("SKU");
    send(Request.cmd(Command.FLUSHALL));
    Instant lost = Instant.now();
    gateway.putSku(sku, "1.00", "USD", 10);

    HttpResponse<String> early = gateway.add(Gateway.unique("shopper"), sku, 1);
    assertThat(early.statusCode()).as(early.body()).isEqualTo(503);
    assertThat(early.headers().firstValue("Retry-After")).isPresent();

    HttpResponse<String> later =
        await("a write once the publish window passed")
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> gateway.add(Gateway.unique("shopper"), sku, 1),
                answer -> answer.statusCode() != 503);
    assertThat(later.statusCode()).as(later.body()).isEqualTo(200);
    Duration window =
        gateway
            .config()
            .redis()
            .commandTimeout()
            .plus(gateway.config().kafka().deliveryTimeout().multipliedBy(2));
    assertThat(Duration.between(lost, Instant.now())).isGreaterThanOrEqualTo(window);
  }

  private static Response send(Request request) throws Exception {
    return redis.send(request).await(5, TimeUnit.SECONDS);
  }
}
