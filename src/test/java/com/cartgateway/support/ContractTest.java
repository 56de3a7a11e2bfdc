package com.cartgateway.support;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The contract check of the integration tests")
class ContractTest {
  private final Contract contract = Contract.get();

  @Test
  @DisplayName("passes a liveness answer as the document describes it")
  void passesADescribedAnswer() {
    assertThatCode(
            () ->
                contract.check(
                    "GET",
                    "/health/live",
                    200,
                    headers("application/json"),
                    new JsonObject().put("status", "UP").encode()))
        .doesNotThrowAnyException();
  }

  @Test
  @DisplayName("fails a status the operation does not list, naming the call")
  void failsAnUndescribedStatus() {
    assertThatThrownBy(
            () -> contract.check("GET", "/health/live", 418, headers("application/json"), "{}"))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("GET /health/live answered 418, which healthLive");
  }

  @Test
  @DisplayName("fails a body that does not match the schema of its status")
  void failsABodyOffSchema() {
    assertThatThrownBy(
            () ->
                contract.check(
                    "GET",
                    "/v1/skus/SKU-1",
                    200,
                    headers("application/json"),
                    new JsonObject().put("sku", 42).encode()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("getSku in openapi.yaml does not describe");
  }

  @Test
  @DisplayName("fails a problem without the code member the contract requires")
  void failsAProblemOffSchema() {
    assertThatThrownBy(
            () ->
                contract.check(
                    "GET",
                    "/v1/skus/SKU-1",
                    404,
                    headers("application/problem+json"),
                    new JsonObject().put("title", "Not Found").put("status", 404).encode()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("does not describe");
  }

  @Test
  @DisplayName("reads an entity tag as the quoted string it is, and fails a weak one")
  void readsEntityTags() {
    Map<String, String> notModified = headers(null);
    notModified.put("Cache-Control", "no-store");
    notModified.put("Vary", "Authorization, Cookie, X-Cart-Session");
    notModified.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    notModified.put("ETag", "\"3\"");
    assertThatCode(() -> contract.check("GET", "/v1/cart", 304, notModified, ""))
        .doesNotThrowAnyException();
    notModified.put("ETag", "W/\"3\"");
    assertThatThrownBy(() -> contract.check("GET", "/v1/cart", 304, notModified, ""))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("ETag");
  }

  @Test
  @DisplayName("checks a text answer by its status, media type and required headers")
  void checksTextAnswers() {
    Map<String, String> metrics = headers(null);
    metrics.put("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    assertThatCode(
            () -> contract.check("GET", "/metrics", 200, metrics, "cart_abandoned_total 3.0"))
        .doesNotThrowAnyException();
    metrics.remove("X-Frame-Options");
    assertThatThrownBy(
            () -> contract.check("GET", "/metrics", 200, metrics, "cart_abandoned_total 3.0"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("the required header X-Frame-Options is missing");
  }

  @Test
  @DisplayName("fails a path the document has no operation for")
  void failsAnUnknownPath() {
    assertThatThrownBy(() -> contract.check("GET", "/v2/nothing", 404, headers(null), ""))
        .isInstanceOf(AssertionError.class)
        .hasMessage("GET /v2/nothing answered 404, but openapi.yaml has no operation for it");
  }

  private static Map<String, String> headers(String contentType) {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.put("X-Request-Id", "0123456789abcdef");
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put("X-Frame-Options", "DENY");
    if (contentType != null) {
      headers.put("Content-Type", contentType + "; charset=utf-8");
    }
    return headers;
  }
}
