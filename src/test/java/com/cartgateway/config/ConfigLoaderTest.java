package com.cartgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("configuration is validated once, at start")
class ConfigLoaderTest {
  private static final Map<String, String> SECRETS =
      Map.of(
          "CART_JWT_SECRET", "0123456789abcdef0123456789abcdef",
          "CART_ADMIN_TOKEN", "admin-token-0123456789");

  private static AppConfig load(JsonObject file, Map<String, String> env) {
    Map<String, String> all = new HashMap<>(SECRETS);
    all.putAll(env);
    return ConfigLoader.fromLayers(file, new Properties(), all);
  }

  @Test
  @DisplayName("defaults give every role, one HTTP verticle per core, and a 15-minute hold")
  void defaults() {
    AppConfig config = load(new JsonObject(), Map.of());
    assertThat(config.roles()).isEqualTo(EnumSet.allOf(Role.class));
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.http().verticleInstances())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(config.cart().reservationTtl()).isEqualTo(Duration.ofMinutes(15));
    assertThat(config.http().maxBodyBytes()).isEqualTo(16 * 1024);
  }

  @Test
  @DisplayName("logs are JSON unless CART_LOG_FORMAT says text; anything else stops the start")
  void logFormat() {
    assertThat(load(new JsonObject(), Map.of()).logs().format())
        .isEqualTo(AppConfig.LogFormat.JSON);
    assertThat(load(new JsonObject(), Map.of("CART_LOG_FORMAT", "TEXT")).logs().format())
        .isEqualTo(AppConfig.LogFormat.TEXT);
    assertThatThrownBy(() -> load(new JsonObject(), Map.of("CART_LOG_FORMAT", "xml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("logs.format");
  }

  @Test
  @DisplayName(
      "guest session keys are a comma list (or a JSON array), each at least 32 bytes; none is fine")
  void sessionKeys() {
    String first = "first-session-key-0123456789abcdef";
    String second = "second-session-key-0123456789abcde";
    assertThat(load(new JsonObject(), Map.of()).security().sessionKeys()).isEmpty();
    assertThat(
            load(new JsonObject(), Map.of("CART_SESSION_KEYS", first + ", " + second))
                .security()
                .sessionKeys())
        .containsExactly(first, second);
    JsonObject file =
        new JsonObject()
            .put("security", new JsonObject().put("sessionKeys", new JsonArray().add(second)));
    assertThat(load(file, Map.of()).security().sessionKeys()).containsExactly(second);
    assertThatThrownBy(() -> load(new JsonObject(), Map.of("CART_SESSION_KEYS", first + ",short")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "security.sessionKeys (CART_SESSION_KEYS): each key must be at least");
  }

  @Test
  @DisplayName("the environment overrides system properties, which override the file")
  void layering() {
    JsonObject file = new JsonObject().put("http", new JsonObject().put("port", 9000));
    Properties props = new Properties();
    props.setProperty("CART_HTTP_PORT", "9100");
    props.setProperty("CART_RESERVATION_TTL_SECONDS", "60");
    Map<String, String> env = new HashMap<>(SECRETS);
    env.put("CART_HTTP_PORT", "9200");
    AppConfig config = ConfigLoader.fromLayers(file, props, env);
    assertThat(config.http().port()).isEqualTo(9200);
    assertThat(config.cart().reservationTtl()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  @DisplayName("roles and instances come from the environment")
  void rolesAndInstances() {
    AppConfig config =
        load(new JsonObject(), Map.of("CART_ROLES", "http,timer", "CART_VERTICLE_INSTANCES", "3"));
    assertThat(config.roles()).containsExactlyInAnyOrder(Role.HTTP, Role.TIMER);
    assertThat(config.http().verticleInstances()).isEqualTo(3);
  }

  @Test
  @DisplayName("a bad value stops the start with a message naming it and where it came from")
  void badValuesAreNamed() {
    assertThatThrownBy(
            () ->
                load(
                    new JsonObject(),
                    Map.of(
                        "CART_HTTP_PORT", "eighty",
                        "CART_RESERVATION_TTL_SECONDS", "0",
                        "CART_REDIS_URL", "localhost",
                        "CART_ROLES", "http,cashier")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.port (CART_HTTP_PORT): 'eighty' is not an integer")
        .hasMessageContaining("[from environment variable CART_HTTP_PORT]")
        .hasMessageContaining("cart.reservationTtlSeconds (CART_RESERVATION_TTL_SECONDS)")
        .hasMessageContaining("redis.url (CART_REDIS_URL): 'localhost' is not redis://host:port")
        .hasMessageContaining("unknown role 'cashier'");
  }

  @Test
  @DisplayName("cart limits that would let a subtotal at the highest price overflow stop the start")
  void unitsCartIsBounded() {
    JsonObject file =
        new JsonObject()
            .put("cart", new JsonObject().put("maxLines", 1000).put("maxQuantity", 9000));
    assertThat(load(file, Map.of()).cart().maxQuantity()).isEqualTo(9000);
    file.getJsonObject("cart").put("maxQuantity", 9001);
    assertThatThrownBy(() -> load(file, Map.of()))
        .hasMessageContaining("cart.maxLines: times cart.maxQuantity must be at most 9000000");
  }

  @Test
  @DisplayName("secrets are required, a short JWT key is refused, and neither is ever printed")
  void secrets() {
    assertThatThrownBy(() -> ConfigLoader.fromLayers(new JsonObject(), new Properties(), Map.of()))
        .hasMessageContaining("security.jwtSecret (CART_JWT_SECRET): is required")
        .hasMessageContaining("security.adminToken (CART_ADMIN_TOKEN): is required");
    assertThatThrownBy(() -> load(new JsonObject(), Map.of("CART_JWT_SECRET", "short")))
        .hasMessageContaining("must be at least 32 bytes")
        .hasMessageNotContaining("short");
    assertThat(load(new JsonObject(), Map.of()).security().toString())
        .doesNotContain(SECRETS.get("CART_JWT_SECRET"));
  }

  @Test
  @DisplayName("the lag bound of readiness defaults to 50000 events, 0 turns it off")
  void readyMaxLagEvents() {
    assertThat(load(new JsonObject(), Map.of()).http().readyMaxLagEvents()).isEqualTo(50_000);
    assertThat(
            load(new JsonObject(), Map.of("CART_READY_MAX_LAG_EVENTS", "0"))
                .http()
                .readyMaxLagEvents())
        .isZero();
    JsonObject file = new JsonObject().put("http", new JsonObject().put("readyMaxLagEvents", 7));
    assertThat(load(file, Map.of()).http().readyMaxLagEvents()).isEqualTo(7);
    assertThatThrownBy(() -> load(new JsonObject(), Map.of("CART_READY_MAX_LAG_EVENTS", "-1")))
        .hasMessageContaining("http.readyMaxLagEvents (CART_READY_MAX_LAG_EVENTS): -1 is outside");
  }

  @Test
  @DisplayName(
      "trusted proxy hops default to none (X-Forwarded-For ignored) and are bounded to 0..10")
  void trustedProxyHops() {
    assertThat(load(new JsonObject(), Map.of()).http().trustedProxyHops()).isZero();
    JsonObject file = new JsonObject().put("http", new JsonObject().put("trustedProxyHops", 1));
    assertThat(load(file, Map.of()).http().trustedProxyHops()).isEqualTo(1);
    assertThat(load(file, Map.of("CART_TRUSTED_PROXY_HOPS", "2")).http().trustedProxyHops())
        .isEqualTo(2);
    assertThatThrownBy(() -> load(new JsonObject(), Map.of("CART_TRUSTED_PROXY_HOPS", "11")))
        .hasMessageContaining(
            "http.trustedProxyHops (CART_TRUSTED_PROXY_HOPS): 11 is outside 0..10");
    assertThatThrownBy(() -> load(new JsonObject(), Map.of("CART_TRUSTED_PROXY_HOPS", "-1")))
        .hasMessageContaining("-1 is outside 0..10");
  }

  @Test
  @DisplayName("several Redis nodes need cluster mode")
  void clusterNodes() {
    String nodes = "redis://10.0.0.1:7000,redis://10.0.0.2:7000";
    assertThatThrownBy(() -> load(new JsonObject(), Map.of("CART_REDIS_URL", nodes)))
        .hasMessageContaining("set CART_REDIS_MODE=cluster");
    AppConfig cluster =
        load(new JsonObject(), Map.of("CART_REDIS_URL", nodes, "CART_REDIS_MODE", "cluster"));
    assertThat(cluster.redis().cluster()).isTrue();
    assertThat(cluster.redis().endpoints()).hasSize(2);
  }

  @Test
  @DisplayName(
      "spans are exported only to a configured http(s) OTLP endpoint; anything else stops the"
          + " start")
  void otlpEndpoint() {
    AppConfig.Tracing off = load(new JsonObject(), Map.of()).tracing();
    assertThat(off.otlpEndpoint()).isEmpty();
    assertThat(off.serviceName()).isEqualTo("cart-gateway");
    AppConfig.Tracing on =
        load(
                new JsonObject(),
                Map.of(
                    "CART_OTLP_ENDPOINT", "https://collector:4318/v1/traces",
                    "CART_OTLP_SERVICE_NAME", "cart-edge"))
            .tracing();
    assertThat(on.otlpEndpoint()).hasValue(URI.create("https://collector:4318/v1/traces"));
    assertThat(on.serviceName()).isEqualTo("cart-edge");
    for (String bad : new String[] {"collector:4318", "grpc://collector:4317", "http://"}) {
      assertThatThrownBy(() -> load(new JsonObject(), Map.of("CART_OTLP_ENDPOINT", bad)))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("tracing.otlpEndpoint (CART_OTLP_ENDPOINT)");
    }
  }
}
