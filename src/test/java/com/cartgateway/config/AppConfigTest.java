package com.cartgateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("settings derived from the configuration are computed in one place")
class AppConfigTest {
  private static final Map<String, String> SECRETS =
      Map.of(
          "CART_JWT_SECRET", "0123456789abcdef0123456789abcdef",
          "CART_ADMIN_TOKEN", "admin-token-0123456789");

  /** A configuration with these timeouts, in milliseconds. */
  private static AppConfig timeouts(int redisCommand, int kafkaDelivery, int request) {
    JsonObject file =
        new JsonObject()
            .put("redis", new JsonObject().put("commandTimeoutMillis", redisCommand))
            .put("kafka", new JsonObject().put("deliveryTimeoutMillis", kafkaDelivery))
            .put("http", new JsonObject().put("requestTimeoutMillis", request));
    return ConfigLoader.fromLayers(file, new Properties(), SECRETS);
  }

  @Test
  @DisplayName("the publish window is a Redis command, twice the Kafka delivery timeout, and 1 s")
  void publishWindow() {
    assertThat(timeouts(300, 1_500, 5_000).publishWindow()).isEqualTo(Duration.ofMillis(4_300));
    assertThat(timeouts(2_000, 4_000, 5_000).publishWindow()).isEqualTo(Duration.ofMillis(11_000));
  }

  @Test
  @DisplayName("an unpublished change is republished after its request's deadline and the window")
  void republishGrace() {
    assertThat(timeouts(300, 1_500, 5_000).republishGrace()).isEqualTo(Duration.ofMillis(9_300));
    assertThat(timeouts(300, 1_500, 700).republishGrace()).isEqualTo(Duration.ofMillis(5_000));
  }

  @Test
  @DisplayName("an abandonment claim lasts four Kafka delivery timeouts, and never under 30 s")
  void claimLease() {
    assertThat(timeouts(300, 1_500, 5_000).claimLease()).isEqualTo(Duration.ofSeconds(30));
    assertThat(timeouts(300, 7_500, 5_000).claimLease()).isEqualTo(Duration.ofSeconds(30));
    assertThat(timeouts(300, 10_000, 5_000).claimLease()).isEqualTo(Duration.ofSeconds(40));
  }
}
