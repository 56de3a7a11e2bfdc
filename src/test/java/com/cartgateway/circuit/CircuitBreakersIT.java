package com.cartgateway.circuit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.dev.ManagedService;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.TestServices;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The circuits to Redis and Kafka against the real services, frozen (SIGSTOP): they open, writes
 * then fail at once with 503 and {@code Retry-After}, every change of state shows in the metrics
 * and in one log line, and the circuits close again once the service answers.
 */
@DisplayName("circuit breakers")
class CircuitBreakersIT {
  private static final Duration FAST = Duration.ofMillis(50);

  private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          logged.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private final Logger circuitsLog = Logger.getLogger(Circuits.class.getName());
  private Gateway gateway;

  @BeforeEach
  void start() {
    circuitsLog.addHandler(capture);
    gateway = Gateway.start(Map.of());
    // another test may have just emptied Redis
    gateway.awaitWritable();
  }

  @AfterEach
  void stop() {
    gateway.close();
    circuitsLog.removeHandler(capture);
  }

  @Test
  @DisplayName(
      "with Redis frozen the circuit opens, writes answer 503 with Retry-After in under 50 ms,"
          + " and it closes once Redis answers")
  void redisFrozen() throws Exception {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 1_000_000);
    String user = Gateway.unique("shopper");
    for (int i = 0; i < 20; i++) {
      assertThat(gateway.add(user, sku, 1).statusCode()).isEqualTo(200);
    }
    assertThat(state("redis")).isEqualTo(0);

    ManagedService redis = TestServices.get().redis();
    try (AutoCloseable frozen = TestServices.suspend(redis)) {
      // Nothing but the gateway's own background calls (the epoch watch, the readiness checks)
      // meets the frozen Redis until the circuit opens.
      await("the redis circuit opens")
          .atMost(Duration.ofSeconds(30))
          .until(() -> state("redis") == 2);
      // The refusal path once unmeasured (JIT), then each write measured on its own.
      for (int i = 0; i < 20; i++) {
        assertRefusedFast(gateway.add(user, sku, 1), null);
      }
      for (int i = 0; i < 30; i++) {
        long start = System.nanoTime();
        HttpResponse<String> write = gateway.add(user, sku, 1);
        assertRefusedFast(write, Duration.ofNanos(System.nanoTime() - start));
      }
      assertThat(transitions("redis", "open")).isGreaterThanOrEqualTo(1);
      assertThat(logLines(Level.WARNING, "circuit redis open")).isNotEmpty();
      assertThat(scrape()).contains("cart_circuit_state{circuit=\"redis\"} 2.0");
    }
    await("the redis circuit closes")
        .atMost(Duration.ofSeconds(30))
        .until(() -> state("redis") == 0);
    assertThat(transitions("redis", "half_open")).isGreaterThanOrEqualTo(1);
    assertThat(transitions("redis", "closed")).isGreaterThanOrEqualTo(1);
    assertThat(logLines(Level.INFO, "circuit redis half_open")).isNotEmpty();
    assertThat(logLines(Level.INFO, "circuit redis closed")).isNotEmpty();
    assertThat(scrape())
        .contains("cart_circuit_state{circuit=\"redis\"} 0.0")
        .contains("cart_circuit_transitions_total{circuit=\"redis\",state=\"open\"}");
    assertThat(gateway.add(user, sku, 1).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName(
      "with Kafka frozen the circuit opens: a change whose event was sent stays marked"
          + " unpublished, a later one is refused before it applies, and it closes after")
  void kafkaFrozen() throws Exception {
    String sent = Gateway.unique("SKU");
    String refused = Gateway.unique("SKU");
    gateway.putSku(sent, "1.00", "USD", 1_000);
    gateway.putSku(refused, "1.00", "USD", 1_000);
    String user = Gateway.unique("shopper");
    String cartId = "u:" + user;
    assertThat(gateway.add(user, sent, 1).statusCode()).isEqualTo(200);

    ManagedService kafka = TestServices.get().kafka();
    try (AutoCloseable frozen = TestServices.suspend(kafka)) {
      // Applied in Redis, its event sent to a broker that does not answer: outcome unknown.
      CompletableFuture<HttpResponse<String>> inFlight =
          gateway.http().sendAsync(addRequest(user, sent, 2), HttpResponse.BodyHandlers.ofString());
      await("the kafka circuit opens")
          .atMost(Duration.ofSeconds(60))
          .until(() -> state("kafka") == 2);
      assertThat(inFlight.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
      assertThat(unpublishedMarks(cartId)).as("the unknown outcome stays marked").isNotEmpty();

      for (int i = 0; i < 10; i++) {
        long start = System.nanoTime();
        HttpResponse<String> write = gateway.add(user, refused, 1);
        assertRefusedFast(write, i < 5 ? null : Duration.ofNanos(System.nanoTime() - start));
      }
      assertThat(transitions("kafka", "open")).isGreaterThanOrEqualTo(1);
      assertThat(logLines(Level.WARNING, "circuit kafka open")).isNotEmpty();
    }
    await("the kafka circuit closes")
        .atMost(Duration.ofSeconds(60))
        .until(() -> state("kafka") == 0);
    assertThat(logLines(Level.INFO, "circuit kafka closed")).isNotEmpty();
    assertThat(transitions("kafka", "closed")).isGreaterThanOrEqualTo(1);

    JsonObject cart = gateway.cart(user);
    List<String> skus = new ArrayList<>();
    cart.getJsonArray("items").forEach(line -> skus.add(((JsonObject) line).getString("sku")));
    assertThat(skus).as("the refused changes never applied").doesNotContain(refused);
    assertThat(gateway.add(user, refused, 1).statusCode()).isEqualTo(200);
  }

  private void assertRefusedFast(HttpResponse<String> write, Duration took) {
    assertThat(write.statusCode()).as(write.body()).isEqualTo(503);
    assertThat(write.headers().firstValue("Retry-After")).isPresent();
    assertThat(new JsonObject(write.body()).getString("code")).isEqualTo("unavailable");
    if (took != null) {
      assertThat(took).isLessThan(FAST);
    }
  }

  private HttpRequest addRequest(String user, String sku, int quantity) {
    return gateway
        .request("/v1/cart/items")
        .header("Authorization", "Bearer " + gateway.userToken(user))
        .header("Content-Type", "application/json")
        .POST(
            HttpRequest.BodyPublishers.ofString(
                new JsonObject().put("sku", sku).put("quantity", quantity).encode()))
        .build();
  }

  private MeterRegistry registry() {
    return gateway.application().clients().registry();
  }

  private double state(String circuit) {
    return registry().get("cart_circuit_state").tag("circuit", circuit).gauge().value();
  }

  private double transitions(String circuit, String state) {
    return registry()
        .get("cart_circuit_transitions")
        .tag("circuit", circuit)
        .tag("state", state)
        .counter()
        .count();
  }

  private String scrape() {
    return gateway.send(gateway.request("/metrics").GET().build()).body();
  }

  private List<LogRecord> logLines(Level level, String text) {
    return logged.stream()
        .filter(r -> r.getLevel().equals(level) && r.getMessage().contains(text))
        .toList();
  }

  private List<String> unpublishedMarks(String cartId) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Response marks =
          Redis.createClient(vertx, TestServices.get().redisUrl())
              .send(
                  Request.cmd(Command.ZRANGE)
                      .arg(RedisKeys.unpublishedShardOf(cartId))
                      .arg(0)
                      .arg(-1))
              .await(10, TimeUnit.SECONDS);
      List<String> mine = new ArrayList<>();
      marks.forEach(
          mark -> {
            if (mark.toString().startsWith(cartId + " ")) {
              mine.add(mark.toString());
            }
          });
      return mine;
    } finally {
      vertx.close();
    }
  }
}
