package com.cartgateway.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.dynamo.DynamoTables;
import com.cartgateway.events.SkuState;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * Invariant 2 for the stock side: price, stock and sales reach DynamoDB through {@code
 * catalog.events}, so that a Redis that lost everything gets its catalog and counters back, and a
 * cart that comes back takes its live holds again.
 */
@DisplayName("the catalog is durable too")
class CatalogDurabilityIT {
  private static Vertx vertx;
  private static Redis redis;
  private static DynamoDbAsyncClient dynamo;
  private final Gateway gateway = Gateway.get();

  @BeforeAll
  static void clients() {
    vertx = Vertx.vertx();
    redis = Redis.createClient(vertx, TestServices.get().redisUrl());
    dynamo = DynamoTables.client(Gateway.get().config().dynamoDb());
  }

  @AfterAll
  static void close() {
    Gateway.get().awaitWritable();
    dynamo.close();
    vertx.close();
  }

  @Test
  @DisplayName("an admin put and the sales of a checkout reach the catalog table, newest version")
  void statesReachDynamoDb() throws Exception {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "2.50", "EUR", 10);
    SkuState put = awaitStored(sku, s -> s.stock() == 10);
    assertThat(put.price()).isEqualTo(250);
    assertThat(put.currency()).isEqualTo("EUR");
    assertThat(put.sold()).isZero();

    String user = Gateway.unique("shopper");
    assertThat(gateway.add(user, sku, 3).statusCode()).isEqualTo(200);
    assertThat(checkout(user).statusCode()).isEqualTo(201);
    SkuState sold = awaitStored(sku, s -> s.sold() == 3);
    assertThat(sold.version()).isGreaterThan(put.version());
    assertThat(sold.stock()).isEqualTo(10);
  }

  @Test
  @DisplayName(
      "after Redis lost everything, a SKU answers 503 until the catalog is back with its stock"
          + " and sales; a returning cart takes its live hold again")
  void rebuiltAfterLoss() throws Exception {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 10);
    String buyer = Gateway.unique("buyer");
    assertThat(gateway.add(buyer, sku, 2).statusCode()).isEqualTo(200);
    assertThat(checkout(buyer).statusCode()).isEqualTo(201);
    String holder = Gateway.unique("holder");
    HttpResponse<String> held = gateway.add(holder, sku, 3);
    assertThat(held.statusCode()).isEqualTo(200);
    awaitStored(sku, s -> s.sold() == 2);
    awaitCartStored("u:" + holder, new JsonObject(held.body()).getLong("version"));

    redis.send(Request.cmd(Command.FLUSHALL)).await(10, TimeUnit.SECONDS);
    HttpResponse<String> early = gateway.send(gateway.request("/v1/skus/" + sku).GET().build());
    assertThat(early.statusCode())
        .as("not 404: the SKU is not unknown, only not back yet")
        .isEqualTo(503);
    assertThat(early.headers().firstValue("Retry-After")).isPresent();

    HttpResponse<String> back =
        await("the catalog back")
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> gateway.send(gateway.request("/v1/skus/" + sku).GET().build()),
                answer -> answer.statusCode() != 503);
    assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
    JsonObject stock = new JsonObject(back.body());
    assertThat(stock.getLong("stock")).isEqualTo(10);
    assertThat(stock.getLong("sold")).as("the sale survived").isEqualTo(2);
    assertThat(stock.getLong("reserved")).isZero();
    assertThat(stock.getLong("available")).isEqualTo(8);
    assertThat(stock.getString("price")).isEqualTo("1.00");

    // A read before DynamoDB is caught up for the cart shows its copy, unheld, without keeping
    // it; the read after shows the cart restored into Redis.
    JsonObject line =
        await("the cart comes back with its hold")
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> {
                  HttpResponse<String> read = gateway.read(holder);
                  return read.statusCode() == 200
                      ? new JsonObject(read.body()).getJsonArray("items").getJsonObject(0)
                      : null;
                },
                first -> first != null && first.getValue("reservation") != null);
    assertThat(line.getInteger("quantity")).isEqualTo(3);
    assertThat(line.getJsonObject("reservation").getInteger("quantity"))
        .as("its hold had not lapsed: taken again")
        .isEqualTo(3);
    JsonObject after = gateway.sku(sku);
    assertThat(after.getLong("reserved")).isEqualTo(3);
    assertThat(after.getLong("available")).isEqualTo(5);
  }

  @Test
  @DisplayName(
      "with Kafka down an admin put answers 503 and stays applied; once Kafka is back the timer"
          + " publishes it, and the catalog table has it without another put")
  void kafkaDownThenRepublished() throws Exception {
    Gateway timed =
        Gateway.start(
            Map.of(
                "CART_ROLES",
                "http,timer",
                "CART_HOLD_SWEEP_MILLIS",
                "500",
                "CART_REQUEST_TIMEOUT_MILLIS",
                "3000"));
    var kafka = TestServices.get().kafka();
    try {
      String sku = Gateway.unique("SKU");
      timed.putSku(sku, "3.00", "USD", 5);
      awaitStored(sku, s -> s.stock() == 5);

      HttpResponse<String> down;
      kafka.stop();
      try {
        down =
            timed.send(
                timed
                    .request("/v1/admin/skus/" + sku)
                    .header("Authorization", "Bearer " + Gateway.ADMIN_TOKEN)
                    .header("Content-Type", "application/json")
                    .PUT(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"price\":\"3.50\",\"currency\":\"USD\",\"stock\":40}"))
                    .build());
        assertThat(timed.sku(sku).getLong("stock"))
            .as("applied in Redis, not rolled back")
            .isEqualTo(40);
        // Kafka back before the producer gave the event up would deliver it late and leave the
        // timer nothing to publish again: wait until it failed and nothing is left in its buffer.
        Producer<String, String> producer = timed.application().clients().producer();
        await("the put's event given up by the producer")
            .atMost(timed.config().kafka().deliveryTimeout().multipliedBy(3).plusSeconds(10))
            .until(
                () ->
                    producerMetric(producer, "record-error-total") >= 1
                        && producerMetric(producer, "buffer-available-bytes")
                            == producerMetric(producer, "buffer-total-bytes"));
      } finally {
        kafka.start();
      }
      assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
      assertThat(down.headers().firstValue("Retry-After")).isPresent();

      SkuState republished = awaitStored(sku, s -> s.stock() == 40, 60);
      assertThat(republished.price()).isEqualTo(350);
      // The sweep counts what it published once it is through every mark, which may be after the
      // worker stored this one.
      await("the timer's sweep counted its republish")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  timed
                          .application()
                          .clients()
                          .registry()
                          .find("catalog_events_republished")
                          .counter()
                          .count()
                      > 0);
    } finally {
      timed.close();
    }
  }

  private HttpResponse<String> checkout(String user) {
    return gateway.send(
        gateway
            .request("/v1/cart/checkout")
            .header("Authorization", "Bearer " + gateway.userToken(user))
            .header("Idempotency-Key", Gateway.unique("key"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build());
  }

  private static double producerMetric(Producer<?, ?> producer, String name) {
    return producer.metrics().entrySet().stream()
        .filter(m -> m.getKey().group().equals("producer-metrics"))
        .filter(m -> m.getKey().name().equals(name))
        .mapToDouble(m -> ((Number) m.getValue().metricValue()).doubleValue())
        .findFirst()
        .orElseThrow();
  }

  private SkuState awaitStored(String sku, Predicate<SkuState> wanted) {
    return awaitStored(sku, wanted, 30);
  }

  private SkuState awaitStored(String sku, Predicate<SkuState> wanted, int seconds) {
    return await(sku + " reaches the catalog table")
        .atMost(Duration.ofSeconds(seconds))
        .until(
            () ->
                item(gateway.config().dynamoDb().catalogTable(), "sku", sku)
                    .map(item -> SkuState.fromJson(new JsonObject(item.get("state").s())))
                    .orElse(null),
            stored -> stored != null && wanted.test(stored));
  }

  private void awaitCartStored(String cartId, long version) {
    await(cartId + " reaches the carts table")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                item(gateway.config().dynamoDb().cartsTable(), "cartId", cartId)
                    .map(item -> Long.parseLong(item.get("version").n()) >= version)
                    .orElse(false));
  }

  private static Optional<Map<String, AttributeValue>> item(String table, String key, String id)
      throws Exception {
    GetItemResponse read =
        dynamo
            .getItem(
                get ->
                    get.tableName(table)
                        .key(Map.of(key, AttributeValue.fromS(id)))
                        .consistentRead(true))
            .get(10, TimeUnit.SECONDS);
    return read.hasItem() && !read.item().isEmpty() ? Optional.of(read.item()) : Optional.empty();
  }
}
