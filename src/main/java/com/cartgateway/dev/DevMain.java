package com.cartgateway.dev;

import com.cartgateway.app.Application;
import com.cartgateway.app.Logging;
import com.cartgateway.app.Main;
import com.cartgateway.config.AppConfig;
import com.cartgateway.config.ConfigLoader;
import com.cartgateway.dynamo.DynamoTables;
import com.cartgateway.events.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/**
 * Dev mode ({@code mvn -q -Pdev exec:java}): starts real Redis, Kafka and DynamoDB Local as child
 * processes, creates the topics and tables, starts the gateway in front of them, and prints how to
 * call it. Ctrl-C or SIGTERM stops the gateway gracefully, then every service.
 */
public final class DevMain {
  /** The fixed dev HS256 key; never use it anywhere else. */
  public static final String DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-0123456789";

  /** The fixed dev key of guest sessions; never use it anywhere else. */
  public static final String DEV_SESSION_KEY = "dev-only-session-key-change-me-0123456789";

  /** The fixed dev admin token. */
  public static final String DEV_ADMIN_TOKEN = "dev-admin-token-change-me";

  private static final String LOG_FORMAT = "CART_LOG_FORMAT";
  private static final String HOST = "CART_HTTP_HOST";
  private static final String LOOPBACK = "127.0.0.1";
  private static final String TOPOLOGY = "CART_DEV_TOPOLOGY";

  private DevMain() {}

  /**
   * Runs dev mode until the process is told to stop.
   *
   * @param args ignored
   */
  public static void main(String[] args) throws Exception {
    // Dev mode reads text unless asked otherwise; production's default is JSON.
    if (System.getenv(LOG_FORMAT) == null && System.getProperty(LOG_FORMAT) == null) {
      System.setProperty(LOG_FORMAT, AppConfig.LogFormat.TEXT.value());
    }
    Main.configureLogging();
    Optional<Path> dataDir = Optional.ofNullable(System.getenv("CART_DATA_DIR")).map(Path::of);
    DevServices services = DevServices.start(dataDir, topology(System.getenv(TOPOLOGY)));
    services.createTopics(
        Topics.ALL.stream().collect(Collectors.toMap(Function.identity(), topic -> 3)));

    Map<String, String> env = new HashMap<>(defaults(System.getProperties()));
    env.putAll(System.getenv());
    env.put("CART_REDIS_URL", services.redisUrl());
    env.put(
        "CART_REDIS_MODE",
        services.topology() == DevServices.Topology.CLUSTER ? "cluster" : "standalone");
    env.put("CART_KAFKA_BOOTSTRAP", services.kafkaBootstrap());
    env.put("CART_DYNAMODB_ENDPOINT", services.dynamoDbEndpoint());
    AppConfig config = ConfigLoader.fromLayers(new JsonObject(), System.getProperties(), env);
    Logging.use(config.logs().format());

    try (DynamoDbAsyncClient dynamo = DynamoTables.client(config.dynamoDb())) {
      DynamoTables.ensure(dynamo, config.dynamoDb()).get(30, TimeUnit.SECONDS);
    }
    Application app = Application.start(config).await(60, TimeUnit.SECONDS);
    // On a Redis that has just started empty, carts and SKUs wait out the publish window and the
    // catalog's restore (see CartRebuilder): say so, and print the URL once /health/ready says so.
    System.out.println(
        "gateway up; carts are taken in about "
            + config.publishWindow().toSeconds()
            + " s, once the store has settled");
    awaitReady(url(config));

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    app.close().await(30, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    System.err.println("gateway stop: " + e.getMessage());
                  } finally {
                    services.close();
                    Logging.flush();
                    stopped.countDown();
                  }
                },
                "dev-stop"));
    printBanner(config, services);
    stopped.await();
  }

  /**
   * The settings dev mode gives unless the environment does: the fixed dev secrets, and, unless a
   * system property names another, the loopback address to listen on, since anyone who reaches the
   * port could use those secrets.
   *
   * @param props the system properties, which rank below the environment
   */
  static Map<String, String> defaults(Properties props) {
    Map<String, String> defaults = new HashMap<>();
    defaults.put("CART_JWT_SECRET", DEV_JWT_SECRET);
    defaults.put("CART_ADMIN_TOKEN", DEV_ADMIN_TOKEN);
    defaults.put("CART_SESSION_KEYS", DEV_SESSION_KEY);
    if (props.getProperty(HOST) == null) {
      defaults.put(HOST, LOOPBACK);
    }
    return defaults;
  }

  /** Where this machine reaches the gateway. */
  private static String url(AppConfig config) {
    String host = config.http().host();
    return "http://" + (host.equals("0.0.0.0") ? LOOPBACK : host) + ":" + config.http().port();
  }

  /** {@code single} (or unset) or {@code cluster}; anything else stops dev mode at once. */
  static DevServices.Topology topology(String value) {
    if (value == null || value.isBlank() || value.equalsIgnoreCase("single")) {
      return DevServices.Topology.SINGLE;
    }
    if (value.equalsIgnoreCase("cluster")) {
      return DevServices.Topology.CLUSTER;
    }
    throw new IllegalArgumentException(
        TOPOLOGY + " must be single or cluster, not '" + value + "'");
  }

  /**
   * Waits until {@code /health/ready} answers 200 with every Redis shard writable, so that the
   * banner never says ready before the probe does; every 30 s it says what the probe still waits
   * for.
   */
  public static void awaitReady(String url) throws InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest probe =
        HttpRequest.newBuilder(URI.create(url + "/health/ready"))
            .timeout(Duration.ofSeconds(5))
            .build();
    Instant nextNote = Instant.now().plusSeconds(30);
    while (true) {
      String answer;
      try {
        HttpResponse<String> ready = http.send(probe, HttpResponse.BodyHandlers.ofString());
        // Ready means some Redis shard takes writes; the banner waits for every one of them.
        if (ready.statusCode() == 200 && everyShardWritable(new JsonObject(ready.body()))) {
          return;
        }
        answer = ready.body();
      } catch (IOException notYet) {
        answer = "not listening yet (" + notYet.getMessage() + ")";
      }
      if (Instant.now().isAfter(nextNote)) {
        System.out.println("not ready yet, /health/ready says: " + answer);
        nextNote = Instant.now().plusSeconds(30);
      }
      Thread.sleep(250);
    }
  }

  private static boolean everyShardWritable(JsonObject readiness) {
    return readiness.getJsonObject("shards", new JsonObject()).stream()
        .allMatch(shard -> "writable".equals(shard.getValue()));
  }

  private static void printBanner(AppConfig config, DevServices services) {
    Vertx vertx = Vertx.vertx();
    String token =
        JWTAuth.create(
                vertx,
                new JWTAuthOptions()
                    .addPubSecKey(
                        new PubSecKeyOptions()
                            .setAlgorithm("HS256")
                            .setBuffer(config.security().jwtSecret())))
            .generateToken(
                new JsonObject().put("sub", "dev-user"),
                new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(24 * 3600));
    vertx.close();
    String url = url(config);
    System.out.println(
        String.join(
            "\n",
            "",
            "dev services: redis="
                + services.redisUrl()
                + " kafka="
                + services.kafkaBootstrap()
                + " dynamodb="
                + services.dynamoDbEndpoint(),
            "cart gateway (dev mode) ready at " + url,
            "  JWT secret (HS256): " + config.security().jwtSecret(),
            "  admin token:        " + config.security().adminToken(),
            "  user token (sub=dev-user, 24 h): " + token,
            "",
            "  curl -s -X PUT "
                + url
                + "/v1/admin/skus/SKU-1 -H 'Authorization: Bearer "
                + config.security().adminToken()
                + "' -H 'Content-Type: application/json' -d '{\"price\":\"29.99\",\"currency\":\"USD\",\"stock\":100}'",
            "  curl -s -X POST "
                + url
                + "/v1/cart/items -H 'Authorization: Bearer "
                + token
                + "' -H 'Content-Type: application/json' -d '{\"sku\":\"SKU-1\",\"quantity\":2}'",
            "",
            "Ctrl-C stops the gateway and every service."));
  }
}
