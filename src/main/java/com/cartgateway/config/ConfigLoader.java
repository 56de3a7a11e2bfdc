package com.cartgateway.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds the {@link AppConfig} from {@code conf/application.json} (or the file named by {@code
 * CART_CONFIG}), then system properties, then environment variables, each overriding the one
 * before. Every value is checked; all problems are reported together, each naming its setting.
 *
 * <p>Longer than most classes here: it is the one list of every setting, its default and its bounds
 * (which {@code ConfigDefaultsTest} compares with {@code conf/application.json} and the
 * documentation), one short method a section; split, the list would be in several places.
 */
public final class ConfigLoader {

  /** The environment variables of the contract, and where each lands in the JSON document. */
  static final Map<String, String> OVERRIDES =
      Map.ofEntries(
          Map.entry("CART_ROLES", "roles"),
          Map.entry("CART_HTTP_HOST", "http.host"),
          Map.entry("CART_HTTP_PORT", "http.port"),
          Map.entry("CART_HTTP_IDLE_TIMEOUT_SECONDS", "http.idleTimeoutSeconds"),
          Map.entry("CART_HTTP_HEADER_TIMEOUT_MILLIS", "http.headerTimeoutMillis"),
          Map.entry("CART_HTTP_MAX_CONNECTIONS", "http.maxConnections"),
          Map.entry("CART_VERTICLE_INSTANCES", "http.verticleInstances"),
          Map.entry("CART_REQUEST_TIMEOUT_MILLIS", "http.requestTimeoutMillis"),
          Map.entry("CART_TRUSTED_PROXY_HOPS", "http.trustedProxyHops"),
          Map.entry("CART_READY_MAX_LAG_EVENTS", "http.readyMaxLagEvents"),
          Map.entry("CART_REDIS_URL", "redis.url"),
          Map.entry("CART_REDIS_MODE", "redis.mode"),
          Map.entry("CART_REDIS_POOL_SIZE", "redis.poolSize"),
          Map.entry("CART_REDIS_WAIT_REPLICAS", "redis.waitReplicas"),
          Map.entry("CART_REDIS_WAIT_TIMEOUT_MILLIS", "redis.waitTimeoutMillis"),
          Map.entry("CART_KAFKA_BOOTSTRAP", "kafka.bootstrap"),
          Map.entry("CART_DYNAMODB_ENDPOINT", "dynamodb.endpoint"),
          Map.entry("CART_DYNAMODB_REGION", "dynamodb.region"),
          Map.entry("CART_JWT_SECRET", "security.jwtSecret"),
          Map.entry("CART_ADMIN_TOKEN", "security.adminToken"),
          Map.entry("CART_SESSION_KEYS", "security.sessionKeys"),
          Map.entry("CART_JWT_ISSUER", "security.jwtIssuer"),
          Map.entry("CART_JWT_AUDIENCE", "security.jwtAudience"),
          Map.entry("CART_RESERVATION_TTL_SECONDS", "cart.reservationTtlSeconds"),
          Map.entry("CART_HOLD_SWEEP_MILLIS", "cart.holdSweepMillis"),
          Map.entry("CART_HOLD_CAP", "cart.holdCap"),
          Map.entry("CART_CLIENT_HOLD_CAP", "cart.clientHoldCap"),
          Map.entry("CART_MERGE_POLICY", "cart.mergePolicy"),
          Map.entry("CART_ABANDON_AFTER_SECONDS", "cart.abandonAfterSeconds"),
          Map.entry("CART_ABANDON_SWEEP_MILLIS", "cart.abandonSweepMillis"),
          Map.entry("CART_HOT_IDLE_SECONDS", "cart.hotIdleSeconds"),
          Map.entry("CART_NEAR_CACHE_ENTRIES", "cart.nearCacheEntries"),
          Map.entry("CART_RATE_LIMIT_READS", "rateLimit.readsPerSecond"),
          Map.entry("CART_RATE_LIMIT_WRITES", "rateLimit.writesPerSecond"),
          Map.entry("CART_LOG_FORMAT", "logs.format"),
          Map.entry("CART_OTLP_ENDPOINT", "tracing.otlpEndpoint"),
          Map.entry("CART_OTLP_SERVICE_NAME", "tracing.serviceName"));

  private static final String DEFAULT_FILE = "conf/application.json";

  /**
   * The most units one cart may hold, lines times units a line: at the highest price
   * (commerce.Money.MAX_PRICE) their subtotal still fits a long.
   */
  static final long MAX_UNITS_A_CART = 9_000_000;

  private final List<String> problems = new ArrayList<>();
  private final JsonObject root;
  private final Map<String, String> origin = new LinkedHashMap<>();

  /** Every setting read so far, at its default: what {@code conf/application.json} must list. */
  private final JsonObject defaults = new JsonObject();

  private ConfigLoader(JsonObject root) {
    this.root = root;
  }

  /**
   * Loads the configuration of this process.
   *
   * @param env the environment variables
   * @param props the system properties
   * @return the validated configuration
   * @throws ConfigException naming every bad setting
   */
  public static AppConfig load(Map<String, String> env, Properties props) {
    String file = env.getOrDefault("CART_CONFIG", props.getProperty("CART_CONFIG", DEFAULT_FILE));
    JsonObject base = readFile(Path.of(file), !file.equals(DEFAULT_FILE));
    return fromLayers(base, props, env);
  }

  /**
   * Validates a base document with overrides, as {@link #load} does after reading the file.
   *
   * @param base the document, as in {@code conf/application.json}
   * @param props system properties, named as the environment variables
   * @param env environment variables
   * @return the validated configuration
   */
  public static AppConfig fromLayers(JsonObject base, Properties props, Map<String, String> env) {
    ConfigLoader loader = new ConfigLoader(base.copy());
    loader.overlay(props::getProperty, "system property");
    loader.overlay(env::get, "environment variable");
    return loader.build();
  }

  /**
   * Every setting this loader reads, each at the value it takes when nothing sets it (null when it
   * has none), in the shape of {@code conf/application.json}, which lists them all.
   *
   * @return a new document of the defaults
   */
  static JsonObject defaults() {
    ConfigLoader loader = new ConfigLoader(new JsonObject());
    loader.read();
    return loader.defaults;
  }

  private static JsonObject readFile(Path path, boolean required) {
    if (!Files.exists(path)) {
      if (required) {
        throw new ConfigException(List.of("CART_CONFIG: no such file " + path));
      }
      return new JsonObject();
    }
    try {
      return new JsonObject(Files.readString(path, StandardCharsets.UTF_8));
    } catch (IOException | DecodeException e) {
      throw new ConfigException(List.of(path + ": not a JSON object (" + e.getMessage() + ")"));
    }
  }

  private void overlay(Function<String, String> source, String kind) {
    OVERRIDES.forEach(
        (name, jsonPath) -> {
          String value = source.apply(name);
          if (value != null) {
            put(root, jsonPath, value);
            origin.put(jsonPath, kind + " " + name);
          }
        });
  }

  private static void put(JsonObject document, String jsonPath, Object value) {
    String[] parts = jsonPath.split("\\.");
    JsonObject node = document;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject child = node.getJsonObject(parts[i]);
      if (child == null) {
        child = new JsonObject();
        node.put(parts[i], child);
      }
      node = child;
    }
    node.put(parts[parts.length - 1], value);
  }

  private AppConfig build() {
    AppConfig config = read();
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return config;
  }

  /** Reads every setting, noting each problem instead of stopping at the first. */
  private AppConfig read() {
    AppConfig config =
        new AppConfig(
            roles(),
            http(),
            redis(),
            new AppConfig.Kafka(
                text("kafka.bootstrap", "127.0.0.1:9092"),
                Duration.ofMillis(integer("kafka.deliveryTimeoutMillis", 4000, 100, 120_000))),
            new AppConfig.DynamoDb(
                Optional.ofNullable(optionalText("dynamodb.endpoint")),
                text("dynamodb.region", "us-east-1"),
                text("dynamodb.cartsTable", "cart-gateway-carts"),
                text("dynamodb.catalogTable", "cart-gateway-catalog")),
            security(),
            new AppConfig.Cart(
                Duration.ofSeconds(integer("cart.reservationTtlSeconds", 900, 1, 86_400)),
                integer("cart.maxLines", 100, 1, 1000),
                integer("cart.maxQuantity", 999, 1, 1_000_000),
                Duration.ofMillis(integer("cart.priceCacheMillis", 1000, 0, 60_000)),
                Duration.ofMillis(integer("cart.holdSweepMillis", 2000, 100, 600_000)),
                integer("cart.holdCap", 20, 1, 1_000_000),
                integer("cart.clientHoldCap", 60, 0, 1_000_000),
                mergePolicy(),
                Duration.ofSeconds(integer("cart.abandonAfterSeconds", 3600, 1, 30 * 86_400)),
                Duration.ofMillis(integer("cart.abandonSweepMillis", 5000, 100, 3_600_000)),
                Duration.ofSeconds(integer("cart.hotIdleSeconds", 172_800, 60, 30 * 86_400)),
                (long) integer("cart.bodyCacheMegabytes", 64, 0, 65_536) << 20,
                integer("cart.nearCacheEntries", 100_000, 0, 10_000_000)),
            new AppConfig.RateLimit(
                integer("rateLimit.readsPerSecond", 100, 0, 1_000_000),
                integer("rateLimit.writesPerSecond", 20, 0, 1_000_000)),
            worker(),
            new AppConfig.Logs(logFormat()),
            new AppConfig.Tracing(otlpEndpoint(), text("tracing.serviceName", "cart-gateway")));
    AppConfig.Cart cart = config.cart();
    // A cart must outlive its holds and its abandonment report in Redis, where both are decided.
    if (cart.hotIdle().compareTo(cart.reservationTtl()) <= 0
        || cart.hotIdle().compareTo(cart.abandonAfter()) <= 0) {
      problem(
          "cart.hotIdleSeconds",
          "must exceed cart.reservationTtlSeconds and cart.abandonAfterSeconds");
    }
    // The highest price (commerce.Money.MAX_PRICE, 10^12 - 1 minor units) times every unit a cart
    // may hold must fit in a long, so that no subtotal overflows.
    if ((long) cart.maxLines() * cart.maxQuantity() > MAX_UNITS_A_CART) {
      problem(
          "cart.maxLines",
          "times cart.maxQuantity must be at most " + MAX_UNITS_A_CART + " units a cart");
    }
    return config;
  }

  private Set<Role> roles() {
    JsonArray every = new JsonArray();
    EnumSet.allOf(Role.class).forEach(role -> every.add(role.name().toLowerCase(Locale.ROOT)));
    Object raw = setting("roles", every);
    List<String> names = new ArrayList<>();
    if (raw == null) {
      return EnumSet.allOf(Role.class);
    } else if (raw instanceof JsonArray array) {
      array.forEach(item -> names.add(String.valueOf(item)));
    } else {
      names.addAll(Arrays.asList(String.valueOf(raw).split(",")));
    }
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : names) {
      if (name.isBlank() || name.trim().equalsIgnoreCase("all")) {
        roles.addAll(name.isBlank() ? Set.of() : EnumSet.allOf(Role.class));
        continue;
      }
      try {
        roles.add(Role.parse(name));
      } catch (IllegalArgumentException e) {
        problem("roles", "unknown role '" + name.trim() + "' (http, worker, timer or all)");
      }
    }
    if (roles.isEmpty() && problems.isEmpty()) {
      problem("roles", "names no role");
    }
    return roles;
  }

  private MergePolicy mergePolicy() {
    String text = text("cart.mergePolicy", "max");
    try {
      return MergePolicy.parse(text);
    } catch (IllegalArgumentException e) {
      problem("cart.mergePolicy", "must be max, sum or prefer-guest, not '" + text + "'");
      return MergePolicy.MAX;
    }
  }

  private AppConfig.LogFormat logFormat() {
    String text = text("logs.format", "json");
    for (AppConfig.LogFormat format : AppConfig.LogFormat.values()) {
      if (format.value().equalsIgnoreCase(text.trim())) {
        return format;
      }
    }
    problem("logs.format", "must be json or text, not '" + text + "'");
    return AppConfig.LogFormat.JSON;
  }

  private Optional<URI> otlpEndpoint() {
    String text = optionalText("tracing.otlpEndpoint");
    if (text == null) {
      return Optional.empty();
    }
    try {
      URI uri = new URI(text);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null) {
        return Optional.of(uri);
      }
    } catch (URISyntaxException e) {
      // reported below, as for any other value that is no http(s) URL
    }
    problem(
        "tracing.otlpEndpoint",
        "'" + text + "' is not an http(s) URL such as http://collector:4318/v1/traces");
    return Optional.empty();
  }

  private AppConfig.Http http() {
    AppConfig.Http http =
        new AppConfig.Http(
            text("http.host", "0.0.0.0"),
            integer("http.port", 8080, 0, 65535),
            verticleInstances(),
            Duration.ofMillis(integer("http.requestTimeoutMillis", 5000, 100, 120_000)),
            integer("http.maxBodyBytes", 16384, 1024, 1 << 20),
            integer("http.trustedProxyHops", 0, 0, 10),
            integer("http.readyMaxLagEvents", 50_000, 0, 1_000_000_000),
            // Longer than the idle timeout of the CDN or load balancer in front (60 s at most
            // commonly), so that it is always the one to close a pooled connection: a close from
            // this side can race a request it is sending.
            Duration.ofSeconds(integer("http.idleTimeoutSeconds", 75, 1, 3600)),
            Duration.ofMillis(integer("http.headerTimeoutMillis", 10_000, 100, 120_000)),
            integer("http.maxConnections", 10_000, 1, 1_000_000));
    // An idle timeout shorter than the deadline would cut a slow request off without an answer.
    if (http.idleTimeout().compareTo(http.requestTimeout()) <= 0) {
      problem("http.idleTimeoutSeconds", "must exceed http.requestTimeoutMillis");
    }
    return http;
  }

  private int verticleInstances() {
    int instances = integer("http.verticleInstances", 0, 0, 1024);
    return instances == 0 ? Runtime.getRuntime().availableProcessors() : instances;
  }

  private AppConfig.Redis redis() {
    String mode = text("redis.mode", "standalone").toLowerCase(Locale.ROOT);
    boolean cluster = mode.equals("cluster");
    if (!cluster && !mode.equals("standalone")) {
      problem("redis.mode", "must be standalone or cluster, not '" + mode + "'");
    }
    List<String> endpoints = new ArrayList<>();
    for (String url : text("redis.url", "redis://127.0.0.1:6379").split(",")) {
      String trimmed = url.trim();
      if (!trimmed.matches("rediss?://([^@/]*@)?[^:/]+:\\d{1,5}(/\\d+)?")) {
        problem("redis.url", "'" + trimmed + "' is not redis://host:port");
      }
      endpoints.add(trimmed);
    }
    if (!cluster && endpoints.size() > 1) {
      problem("redis.url", "lists several nodes; set CART_REDIS_MODE=cluster");
    }
    // A cluster's replica is promoted when its master dies: only what it has is acknowledged.
    int waitReplicas = integer("redis.waitReplicas", 1, 0, 5);
    return new AppConfig.Redis(
        List.copyOf(endpoints),
        cluster,
        // An add holds three connections at once (cart, hold, idle index): 32 lets about ten adds
        // of one event loop go out side by side instead of queueing for a connection.
        integer("redis.poolSize", 32, 1, 256),
        Duration.ofMillis(integer("redis.commandTimeoutMillis", 2000, 50, 60_000)),
        // The gateway knows no replicas of a single server (no Sentinel): nothing to wait for.
        cluster ? waitReplicas : 0,
        Duration.ofMillis(integer("redis.waitTimeoutMillis", 250, 1, 10_000)));
  }

  private AppConfig.Worker worker() {
    Duration initial = Duration.ofMillis(integer("worker.retryInitialMillis", 50, 1, 60_000));
    Duration max = Duration.ofMillis(integer("worker.retryMaxMillis", 5_000, 1, 600_000));
    if (max.compareTo(initial) < 0) {
      problem("worker.retryMaxMillis", "must not be below worker.retryInitialMillis");
    }
    return new AppConfig.Worker(
        text("worker.groupId", "cart-gateway-writer"),
        integer("worker.maxPollRecords", 500, 1, 10_000),
        initial,
        max,
        Duration.ofMillis(integer("worker.shutdownGraceMillis", 15_000, 0, 600_000)));
  }

  private AppConfig.Security security() {
    String secret = optionalText("security.jwtSecret");
    if (secret == null) {
      problem("security.jwtSecret", "is required");
    } else if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
      problem("security.jwtSecret", "must be at least 32 bytes");
    }
    String admin = optionalText("security.adminToken");
    if (admin == null) {
      problem("security.adminToken", "is required");
    } else if (admin.length() < 16) {
      problem("security.adminToken", "must be at least 16 characters");
    }
    return new AppConfig.Security(
        secret,
        admin,
        sessionKeys(),
        Optional.ofNullable(optionalText("security.jwtIssuer")),
        Optional.ofNullable(optionalText("security.jwtAudience")));
  }

  /** A JSON array of keys, or a comma list as the environment variable gives it. */
  private List<String> sessionKeys() {
    Object raw = setting("security.sessionKeys", null);
    List<String> keys = new ArrayList<>();
    if (raw instanceof JsonArray array) {
      array.forEach(item -> keys.add(String.valueOf(item).trim()));
    } else if (trimmed(raw) != null) {
      Arrays.stream(String.valueOf(raw).split(",")).map(String::trim).forEach(keys::add);
    }
    for (String key : keys) {
      if (key.getBytes(StandardCharsets.UTF_8).length < 32) {
        problem("security.sessionKeys", "each key must be at least 32 bytes");
        break;
      }
    }
    return List.copyOf(keys);
  }

  private Object value(String jsonPath) {
    String[] parts = jsonPath.split("\\.");
    Object node = root;
    for (String part : parts) {
      if (!(node instanceof JsonObject object)) {
        return null;
      }
      node = object.getValue(part);
    }
    return node;
  }

  /** The raw value of a setting, noting its default. */
  private Object setting(String jsonPath, Object fallback) {
    put(defaults, jsonPath, fallback);
    return value(jsonPath);
  }

  private static String trimmed(Object raw) {
    return raw == null || String.valueOf(raw).isBlank() ? null : String.valueOf(raw).trim();
  }

  private String optionalText(String jsonPath) {
    return trimmed(setting(jsonPath, null));
  }

  private String text(String jsonPath, String fallback) {
    String value = trimmed(setting(jsonPath, fallback));
    return value == null ? fallback : value;
  }

  private int integer(String jsonPath, int fallback, int min, int max) {
    Object raw = setting(jsonPath, fallback);
    if (raw == null) {
      return fallback;
    }
    long parsed;
    try {
      parsed =
          raw instanceof Number number && number.doubleValue() == number.longValue()
              ? number.longValue()
              : Long.parseLong(String.valueOf(raw).trim());
    } catch (NumberFormatException e) {
      problem(jsonPath, "'" + raw + "' is not an integer");
      return fallback;
    }
    if (parsed < min || parsed > max) {
      problem(jsonPath, parsed + " is outside " + min + ".." + max);
      return fallback;
    }
    return (int) parsed;
  }

  private void problem(String jsonPath, String message) {
    String source = origin.get(jsonPath);
    String name =
        OVERRIDES.entrySet().stream()
            .filter(e -> e.getValue().equals(jsonPath))
            .map(Map.Entry::getKey)
            .findFirst()
            .map(env -> jsonPath + " (" + env + ")")
            .orElse(jsonPath);
    problems.add(name + ": " + message + (source == null ? "" : " [from " + source + "]"));
  }
}
