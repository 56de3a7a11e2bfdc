package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.dev.ManagedService;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.TestServices;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A failing dependency gets 503 with Retry-After, never a hang, and the gateway heals after. */
@DisplayName("dependency outages")
class DependencyOutageIT {
  private final Gateway gateway = Gateway.get();

  @Test
  @DisplayName(
      "with Redis down, writes answer 503 with Retry-After and reads a stale copy in time, and"
          + " both work again after")
  void redisDown() throws Exception {
    String user = Gateway.unique("shopper");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "2.00", "USD", 10);
    ManagedService redis = TestServices.get().redis();
    redis.kill();
    try {
      Instant start = Instant.now();
      HttpResponse<String> write = gateway.add(user, sku, 1);
      HttpResponse<String> read = gateway.read(user);
      assertThat(Duration.between(start, Instant.now()))
          .isLessThan(gateway.config().http().requestTimeout().multipliedBy(2));
      assertThat(write.statusCode()).isEqualTo(503);
      assertThat(write.headers().firstValue("Retry-After")).isPresent();
      assertThat(write.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(new JsonObject(write.body()).getString("code")).isEqualTo("unavailable");
      assertThat(write.body()).doesNotContain("Exception").doesNotContain("redis");
      // A cart DynamoDB does not have either: the empty cart, marked as a stale read.
      assertThat(read.statusCode()).isEqualTo(200);
      assertThat(read.headers().firstValue(CartHandlers.STALE_HEADER)).hasValue("true");
      JsonObject empty = new JsonObject(read.body());
      assertThat(empty.getLong("version")).isZero();
      assertThat(empty.getJsonArray("warnings").getJsonObject(0).getString("code"))
          .isEqualTo("stale_read");
      assertReadiness(503, "redis", "DOWN");
    } finally {
      redis.start();
    }
    // The Redis circuit opened meanwhile: it closes once a background call finds Redis back.
    await("the catalog takes writes again")
        .atMost(Duration.ofSeconds(30))
        .until(() -> putSku(sku) == 200);
    await("carts take writes again")
        .atMost(Duration.ofSeconds(30))
        .until(() -> gateway.add(user, sku, 1).statusCode() == 200);
    assertReadiness(200, "redis", "UP");
  }

  @Test
  @DisplayName("readiness reports Kafka and DynamoDB outages by name and recovers")
  void kafkaAndDynamoDown() throws Exception {
    ManagedService kafka = TestServices.get().kafka();
    kafka.stop();
    try {
      assertReadiness(503, kafka.name(), "DOWN");
    } finally {
      kafka.start();
    }
    await("ready again")
        .atMost(Duration.ofSeconds(30))
        .until(() -> readiness().statusCode() == 200);

    // Frozen rather than stopped: DynamoDB Local keeps its tables in memory only.
    ManagedService dynamoDb = TestServices.get().dynamoDb();
    try (AutoCloseable unreachable = TestServices.suspend(dynamoDb)) {
      assertReadiness(503, dynamoDb.name(), "DOWN");
    }
    await("ready again")
        .atMost(Duration.ofSeconds(30))
        .until(() -> readiness().statusCode() == 200);
  }

  private int putSku(String sku) {
    try {
      gateway.putSku(sku, "2.00", "USD", 10);
      return 200;
    } catch (IllegalStateException refused) {
      return 503;
    }
  }

  private HttpResponse<String> readiness() {
    return gateway.send(gateway.request("/health/ready").GET().build());
  }

  /** Readiness comes from checks refreshed in the background: it follows within seconds. */
  private void assertReadiness(int status, String check, String state) throws Exception {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              HttpResponse<String> ready = readiness();
              assertThat(ready.statusCode()).as(ready.body()).isEqualTo(status);
              assertThat(checkOf(ready, check)).as(ready.body()).isEqualTo(state);
            });
  }

  private static String checkOf(HttpResponse<String> ready, String check) {
    return new JsonObject(ready.body())
        .getJsonObject("checks")
        .getJsonObject(check)
        .getString("status");
  }
}
