package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.durability.GroupProgress;
import com.cartgateway.support.Gateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("operations routes and the headers of every response")
class OperationsIT {
  private final Gateway gateway = Gateway.get();

  @Test
  @DisplayName("live answers UP; ready checks Redis, Kafka and DynamoDB for real")
  void health() {
    HttpResponse<String> live = gateway.send(gateway.request("/health/live").GET().build());
    assertThat(live.statusCode()).isEqualTo(200);
    // Ready once the store takes writes (another test may have just emptied Redis); the checks
    // behind it run in the background.
    gateway.awaitWritable();
    HttpResponse<String> ready =
        await("ready")
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> gateway.send(gateway.request("/health/ready").GET().build()),
                probe -> probe.statusCode() == 200);
    JsonObject checks = new JsonObject(ready.body()).getJsonObject("checks");
    assertThat(checks.fieldNames()).containsExactlyInAnyOrder("redis", "kafka", "dynamodb");
    checks.forEach(
        e -> assertThat(((JsonObject) e.getValue()).getString("status")).isEqualTo("UP"));
  }

  @Test
  @DisplayName(
      "ready reports the write-behind lag of cart.events by partition, in its 200 and its 503")
  void readyReportsWriteBehindLag() throws Exception {
    // This gateway reports a group that no process runs, so an event published here stays
    // unpersisted and the lag cannot be zero (the shared gateway's worker drains the default
    // group). Whether it is ready depends on what the store needs rebuilt (ReadinessIT): both
    // answers carry the lag.
    Gateway gateway =
        Gateway.start(
            Map.of("CART_ROLES", "http"),
            new JsonObject()
                .put("worker", new JsonObject().put("groupId", Gateway.unique("idle-writer"))));
    try {
      readyReportsLagOf(gateway);
    } finally {
      gateway.close();
    }
  }

  @ParameterizedTest(name = "CART_ROLES={0}")
  @ValueSource(strings = {"worker", "timer"})
  @DisplayName("a process without the HTTP role answers the probes and /metrics, and no API")
  void probesWithoutTheHttpRole(String role) {
    Gateway gateway =
        Gateway.start(
            Map.of("CART_ROLES", role),
            new JsonObject()
                .put("worker", new JsonObject().put("groupId", Gateway.unique("probed-writer"))));
    try {
      HttpResponse<String> live = gateway.send(gateway.request("/health/live").GET().build());
      assertThat(live.statusCode()).isEqualTo(200);
      JsonObject ready =
          await("ready within 30 s")
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> gateway.send(gateway.request("/health/ready").GET().build()),
                  answer -> answer.statusCode() == 200)
              .body()
              .transform(JsonObject::new);
      // The dependencies this role uses, and only those: a worker never talks to Redis.
      assertThat(ready.getJsonObject("checks").fieldNames())
          .containsExactlyInAnyOrderElementsOf(
              role.equals("timer")
                  ? java.util.List.of("redis", "kafka", "dynamodb")
                  : java.util.List.of("kafka", "dynamodb"));
      HttpResponse<String> metrics = gateway.send(gateway.request("/metrics").GET().build());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("cart_circuit_state");
      HttpResponse<String> api =
          gateway.sendOffContract(gateway.request("/v1/skus/ANY").GET().build());
      assertThat(api.statusCode()).isEqualTo(404);
      assertThat(api.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    } finally {
      gateway.close();
    }
  }

  private static void readyReportsLagOf(Gateway gateway) throws Exception {
    String cart = Gateway.unique("u:lagging");
    RecordMetadata sent = gateway.publishCartEvent(cart);
    int partition = GroupProgress.partitionOf(cart, 3);

    // The lag comes from a snapshot at most 250 ms old: ask until it includes the event.
    JsonObject body =
        await("the event shows within 10 s")
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> {
                  HttpResponse<String> ready =
                      gateway.send(gateway.request("/health/ready").GET().build());
                  assertThat(ready.statusCode()).as(ready.body()).isIn(200, 503);
                  return new JsonObject(ready.body());
                },
                probe -> end(probe, partition) > sent.offset());

    JsonObject writeBehind = body.getJsonObject("writeBehind");
    assertThat(writeBehind.getString("group")).isEqualTo(gateway.config().worker().groupId());
    assertThat(writeBehind.getString("topic")).isEqualTo("cart.events");
    assertThat(writeBehind.containsKey("lagSeconds")).isTrue();
    assertThat(Instant.parse(writeBehind.getString("asOf"))).isBefore(Instant.now());
    JsonArray partitions = writeBehind.getJsonArray("partitions");
    assertThat(partitions).hasSize(3);
    long total = 0;
    for (int i = 0; i < partitions.size(); i++) {
      JsonObject p = partitions.getJsonObject(i);
      long committed = p.getLong("committed") == null ? 0 : p.getLong("committed");
      assertThat(p.getLong("lagEvents")).isEqualTo(Math.max(0, p.getLong("end") - committed));
      total += p.getLong("lagEvents");
    }
    assertThat(writeBehind.getLong("lagEvents")).isEqualTo(total);
    JsonObject mine = partitions.getJsonObject(partition);
    assertThat(mine.getInteger("partition")).isEqualTo(partition);
    assertThat(mine.getLong("lagEvents")).isPositive();
    assertThat(writeBehind.getBoolean("caughtUp")).isFalse();
    assertThat(gateway.send(gateway.request("/metrics").GET().build()).body())
        .contains("cart_writebehind_group_lag_events{partition=\"" + partition + "\"}");
  }

  private static long end(JsonObject ready, int partition) {
    JsonObject writeBehind = ready.getJsonObject("writeBehind");
    return writeBehind == null || writeBehind.getJsonArray("partitions") == null
        ? -1
        : writeBehind.getJsonArray("partitions").getJsonObject(partition).getLong("end");
  }

  @Test
  @DisplayName("metrics are Prometheus text with request latency histograms by route and status")
  void metrics() {
    gateway.send(gateway.request("/v1/skus/NO-SUCH-SKU").GET().build());
    HttpResponse<String> metrics = gateway.send(gateway.request("/metrics").GET().build());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains(
            "http_server_requests_seconds_bucket{code=\"404\",method=\"GET\",route=\"/v1/skus/:sku\"")
        .contains("cache_gets_total");
  }

  @Test
  @DisplayName(
      "invented methods and unknown paths add no label values: they count as method other on the"
          + " route unmatched")
  void metricLabelsAreBounded() {
    for (String method : new String[] {"BREW", "PROPFIND", "X-WHATEVER"}) {
      HttpResponse<String> refused =
          gateway.sendOffContract(
              gateway
                  .request("/v1/cart")
                  .method(method, java.net.http.HttpRequest.BodyPublishers.noBody())
                  .build());
      assertThat(refused.statusCode()).isBetween(400, 499);
    }
    gateway.sendOffContract(gateway.request("/no/such/" + Gateway.unique("path")).GET().build());
    String metrics = gateway.send(gateway.request("/metrics").GET().build()).body();
    assertThat(metrics)
        .doesNotContain("BREW")
        .doesNotContain("PROPFIND")
        .doesNotContain("X-WHATEVER")
        .doesNotContain("/no/such/")
        .contains("method=\"other\",route=\"unmatched\"")
        .contains("method=\"GET\",route=\"unmatched\"");
  }

  @Test
  @DisplayName("metrics count holds placed, units sold and checkout outcomes by code")
  void holdAndCheckoutMetrics() {
    String user = Gateway.unique("shopper");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 5);
    gateway.add(user, sku, 2);
    gateway.send(
        gateway
            .request("/v1/cart/checkout")
            .header("Authorization", "Bearer " + gateway.userToken(user))
            .header("Idempotency-Key", "metrics-" + sku)
            .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
            .build());
    gateway.send(
        gateway
            .request("/v1/cart/checkout")
            .header("Authorization", "Bearer " + gateway.userToken(user))
            .header("Idempotency-Key", "metrics-empty-" + sku)
            .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
            .build());
    String metrics = gateway.send(gateway.request("/metrics").GET().build()).body();
    assertThat(metrics)
        .containsPattern("cart_holds_placed_units_total [1-9]")
        .containsPattern("cart_holds_sold_units_total [1-9]")
        .containsPattern("cart_checkouts_total\\{outcome=\"created\"} [1-9]")
        .containsPattern("cart_checkouts_total\\{outcome=\"validation_failed\"} [1-9]");
  }

  @Test
  @DisplayName("the OpenAPI document is served")
  void openApi() {
    HttpResponse<String> doc = gateway.send(gateway.request("/openapi.yaml").GET().build());
    assertThat(doc.statusCode()).isEqualTo(200);
    assertThat(doc.body()).startsWith("openapi: 3.1");
  }

  @Test
  @DisplayName(
      "a client asking for an h2c upgrade gets the whole document over HTTP/1.1 on a new connection")
  void noCleartextUpgrade() throws Exception {
    HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> doc =
        fresh.send(
            gateway.request("/openapi.yaml").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(doc.statusCode()).isEqualTo(200);
    assertThat(doc.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    try (var in = getClass().getClassLoader().getResourceAsStream("openapi.yaml")) {
      assertThat(doc.body()).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  @DisplayName("every response carries X-Request-Id (echoed when sane) and the security headers")
  void commonHeaders() {
    HttpResponse<String> echoed =
        gateway.send(
            gateway.request("/health/live").header("X-Request-Id", "abc-123").GET().build());
    assertThat(echoed.headers().firstValue("X-Request-Id")).hasValue("abc-123");
    assertThat(echoed.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(echoed.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    HttpResponse<String> generated =
        gateway.sendOffContract(
            gateway.request("/nowhere").header("X-Request-Id", "bad id with spaces").GET().build());
    assertThat(generated.statusCode()).isEqualTo(404);
    assertThat(generated.headers().firstValue("X-Request-Id").orElseThrow())
        .matches("[0-9a-f-]{36}");
    assertThat(new JsonObject(generated.body()).getString("code")).isEqualTo("not_found");
  }
}
