package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.support.Gateway;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("operations routes and the headers of every response")
class OperationsIT {
  private final Gateway gateway = Gateway.get();

  @Test
  @DisplayName("live answers UP; ready checks Redis, Kafka and DynamoDB for real")
  void health() {
    HttpResponse<String> live = gateway.send(gateway.request("/health/live").GET().build());
    assertThat(live.statusCode()).isEqualTo(200);
    HttpResponse<String> ready = gateway.send(gateway.request("/health/ready").GET().build());
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonObject checks = new JsonObject(ready.body()).getJsonObject("checks");
    assertThat(checks.fieldNames()).containsExactlyInAnyOrder("redis", "kafka", "dynamodb");
    checks.forEach(
        e -> assertThat(((JsonObject) e.getValue()).getString("status")).isEqualTo("UP"));
  }

  @Test
  @DisplayName("metrics are Prometheus text with request latency histograms by route and status")
  void metrics() {
    gateway.send(gateway.request("/v1/skus/NO-SUCH-SKU").GET().build());
    HttpResponse<String> metrics = gateway.send(gateway.request("/metrics").GET().build());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("vertx_http_server_response_time_seconds_bucket")
        .contains("route=\"/v1/skus/:sku\"")
        .contains("code=\"404\"")
        .contains("cache_gets_total");
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
  @DisplayName("every response carries X-Request-Id (echoed when sane) and the security headers")
  void commonHeaders() {
    HttpResponse<String> echoed =
        gateway.send(
            gateway.request("/health/live").header("X-Request-Id", "abc-123").GET().build());
    assertThat(echoed.headers().firstValue("X-Request-Id")).hasValue("abc-123");
    assertThat(echoed.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(echoed.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    HttpResponse<String> generated =
        gateway.send(
            gateway.request("/nowhere").header("X-Request-Id", "bad id with spaces").GET().build());
    assertThat(generated.statusCode()).isEqualTo(404);
    assertThat(generated.headers().firstValue("X-Request-Id").orElseThrow())
        .matches("[0-9a-f-]{36}");
    assertThat(new JsonObject(generated.body()).getString("code")).isEqualTo("not_found");
  }
}
