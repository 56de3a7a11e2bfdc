package com.cartgateway.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cartgateway.config.AppConfig;
import com.cartgateway.config.ConfigException;
import com.cartgateway.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the worker's settings are validated at start")
class WorkerConfigTest {
  private static final Map<String, String> SECRETS =
      Map.of(
          "CART_JWT_SECRET", "0123456789abcdef0123456789abcdef",
          "CART_ADMIN_TOKEN", "admin-token-0123456789");

  private static AppConfig.Worker worker(JsonObject settings) {
    return ConfigLoader.fromLayers(
            new JsonObject().put("worker", settings), new Properties(), SECRETS)
        .worker();
  }

  @Test
  @DisplayName("by default every worker joins cart-gateway-writer and takes up to 500 events")
  void defaults() {
    assertThat(worker(new JsonObject()))
        .isEqualTo(
            new AppConfig.Worker(
                "cart-gateway-writer",
                500,
                Duration.ofMillis(50),
                Duration.ofSeconds(5),
                Duration.ofSeconds(15)));
  }

  @Test
  @DisplayName("a backoff cap below the first backoff, or no records a poll, stops the start")
  void refusesNonsense() {
    assertThatThrownBy(
            () ->
                worker(
                    new JsonObject()
                        .put("retryInitialMillis", 1000)
                        .put("retryMaxMillis", 10)
                        .put("maxPollRecords", 0)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("worker.retryMaxMillis")
        .hasMessageContaining("worker.maxPollRecords");
  }
}
