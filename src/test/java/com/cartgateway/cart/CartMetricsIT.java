package com.cartgateway.cart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.cartgateway.dev.DevServices;
import com.cartgateway.dynamo.DynamoCarts;
import com.cartgateway.events.CartEvent;
import com.cartgateway.events.Topics;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.KafkaEvents;
import com.cartgateway.support.TestServices;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

@DisplayName("business and cache metrics of carts")
class CartMetricsIT {
  private static Gateway gateway;
  private static MeterRegistry registry;
  private static Vertx vertx;
  private static Redis redis;

  @BeforeAll
  static void start() {
    gateway =
        Gateway.start(
            Map.of(
                "CART_ROLES", "http,timer",
                "CART_ABANDON_AFTER_SECONDS", "2",
                "CART_ABANDON_SWEEP_MILLIS", "300"));
    registry = gateway.application().clients().registry();
    vertx = Vertx.vertx();
    redis = TestServices.get().redisClient(vertx);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    vertx.close();
  }

  @Test
  @DisplayName(
      "cart reads count by source: Redis, the near cache, and DynamoDB for a cart Redis lost; a"
          + " cart that exists nowhere counts nothing")
  void readsBySource() throws Exception {
    String user = Gateway.unique("reader");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "3.00", "USD", 10);
    long version = new JsonObject(gateway.add(user, sku, 1).body()).getLong("version");

    double redisBefore = reads("redis");
    gateway.cart(user);
    assertThat(reads("redis")).isEqualTo(redisBefore + 1);

    // The near cache is off in cluster mode (its tracking would need a connection per master).
    if (TestServices.topology() == DevServices.Topology.SINGLE) {
      double nearBefore = reads("near_cache");
      // It serves once its tracking connection has proven itself; read until it does.
      await("a read from the near cache")
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> {
                gateway.cart(user);
                return reads("near_cache") > nearBefore;
              });
    }

    double total = reads("redis") + reads("near_cache") + reads("dynamodb");
    gateway.cart(Gateway.unique("nobody"));
    assertThat(reads("redis") + reads("near_cache") + reads("dynamodb")).isEqualTo(total);

    String cartId = "u:" + user;
    awaitDurable(cartId, version);
    redis.send(Request.cmd(Command.DEL).arg(RedisKeys.cart(cartId))).await(5, TimeUnit.SECONDS);
    double dynamoBefore = reads("dynamodb");
    assertThat(gateway.cart(user).getJsonArray("items")).hasSize(1);
    assertThat(reads("dynamodb")).isEqualTo(dynamoBefore + 1);
  }

  @Test
  @DisplayName("each change records the cart's lines and its value in major units of its currency")
  void linesAndValue() {
    DistributionSummary lines = registry.find("cart_lines").summary();
    long countBefore = lines.count();
    double linesBefore = lines.totalAmount();
    double usdBefore = value("USD");
    double jpyBefore = value("JPY");

    String user = Gateway.unique("buyer");
    String shirt = Gateway.unique("SHIRT");
    String socks = Gateway.unique("SOCKS");
    gateway.putSku(shirt, "12.50", "USD", 10);
    gateway.putSku(socks, "0.99", "USD", 10);
    assertThat(gateway.add(user, shirt, 2).statusCode()).isEqualTo(200);
    assertThat(gateway.add(user, socks, 1).statusCode()).isEqualTo(200);
    String tea = Gateway.unique("TEA");
    gateway.putSku(tea, "500", "JPY", 10);
    assertThat(gateway.add(Gateway.unique("buyer"), tea, 3).statusCode()).isEqualTo(200);

    assertThat(lines.count()).isEqualTo(countBefore + 3);
    assertThat(lines.totalAmount()).isEqualTo(linesBefore + 1 + 2 + 1);
    assertThat(value("USD")).isCloseTo(usdBefore + 25.00 + 25.99, within(1e-9));
    assertThat(value("JPY")).isCloseTo(jpyBefore + 1500, within(1e-9));
  }

  @Test
  @DisplayName(
      "a cart reaching checkout counts once however often the shopper retries, and its order as"
          + " created")
  void checkoutConversion() {
    String user = Gateway.unique("buyer");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "5.00", "USD", 10);
    gateway.add(user, sku, 1);
    gateway.putSku(sku, "6.00", "USD", 10);
    double started = counter("cart_checkouts_started");
    double created = registry.find("cart_checkouts").tag("outcome", "created").counter().count();

    HttpResponse<String> refused = CheckoutIT.checkout(gateway, user, "first-" + user, null);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
    // the shopper agrees to the new price: another request, so another key
    HttpResponse<String> placed =
        CheckoutIT.checkout(gateway, user, "second-" + user, "{\"acceptPriceChanges\":true}");
    assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);

    assertThat(counter("cart_checkouts_started")).isEqualTo(started + 1);
    assertThat(registry.find("cart_checkouts").tag("outcome", "created").counter().count())
        .isEqualTo(created + 1);
  }

  @Test
  @DisplayName("an abandoned cart counts as abandoned, and the change after it as recovered")
  void abandonedAndRecovered() {
    double abandoned = counter("cart_abandoned");
    double recovered = counter("cart_recovered");
    String user = Gateway.unique("idle");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 10);
    gateway.add(user, sku, 1);
    assertThat(KafkaEvents.await(Topics.ABANDONED, "u:" + user, 1, Duration.ofSeconds(6)))
        .hasSize(1);
    assertThat(counter("cart_abandoned")).isGreaterThanOrEqualTo(abandoned + 1);
    assertThat(counter("cart_recovered")).isEqualTo(recovered);

    gateway.add(user, sku, 1);
    assertThat(KafkaEvents.await(Topics.RECOVERED, "u:" + user, 1, Duration.ofSeconds(5)))
        .hasSize(1);
    await("cart_recovered counted once")
        .atMost(Duration.ofSeconds(15))
        .until(() -> counter("cart_recovered") == recovered + 1);
  }

  private static double reads(String source) {
    return registry.find("cart_reads").tag("source", source).counter().count();
  }

  private static double value(String currency) {
    DistributionSummary value = registry.find("cart_value").tag("currency", currency).summary();
    return value == null ? 0 : value.totalAmount();
  }

  private static double counter(String name) {
    Counter counter = registry.find(name).counter();
    return counter.count();
  }

  private static void awaitDurable(String cartId, long version) throws Exception {
    try (DynamoDbAsyncClient client =
        com.cartgateway.dynamo.DynamoTables.client(gateway.config().dynamoDb())) {
      DynamoCarts dynamo = new DynamoCarts(client, gateway.config().dynamoDb().cartsTable());
      await(cartId + " in DynamoDB at v" + version)
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> {
                try {
                  Optional<CartEvent> stored =
                      dynamo
                          .read(cartId)
                          .toCompletionStage()
                          .toCompletableFuture()
                          .get(10, TimeUnit.SECONDS);
                  return stored.isPresent() && stored.get().version() >= version;
                } catch (Exception unreachable) {
                  return false;
                }
              });
    }
  }
}
