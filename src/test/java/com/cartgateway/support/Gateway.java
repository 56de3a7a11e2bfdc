package com.cartgateway.support;

import static org.awaitility.Awaitility.await;

import com.cartgateway.app.Application;
import com.cartgateway.config.AppConfig;
import com.cartgateway.config.ConfigLoader;
import com.cartgateway.dynamo.DynamoTables;
import com.cartgateway.events.CartEvent;
import com.cartgateway.events.Topics;
import com.cartgateway.identity.GuestSessions;
import com.cartgateway.identity.Owner;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/**
 * One gateway per test JVM, started in-process on the shared embedded services, with the HTTP
 * helpers the integration tests use.
 */
public final class Gateway {
  public static final String JWT_SECRET = "test-secret-test-secret-test-secret-42";
  public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
  public static final String SESSION_KEY = "test-session-key-test-session-key-42";

  private static final GuestSessions SESSIONS = GuestSessions.of(List.of(SESSION_KEY), JWT_SECRET);

  private static Gateway instance;

  private final AppConfig config;
  private final Application app;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final JWTAuth signer;

  private Gateway(AppConfig config, Application app, Vertx vertx) {
    this.config = config;
    this.app = app;
    this.signer =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(JWT_SECRET)));
  }

  /**
   * The shared gateway, started on first use. It also runs the worker role, as production always
   * does somewhere: a cart that Redis lost is rebuilt only once the worker group has persisted what
   * was acknowledged, so without a worker every new cart after a Redis restart would answer 503.
   */
  public static synchronized Gateway get() {
    if (instance == null) {
      instance = launch(Map.of("CART_ROLES", "http,worker"));
      instance.awaitWritable();
    }
    return instance;
  }

  /**
   * A gateway of its own, with extra settings (named as the environment variables); the shared one
   * runs too, for its worker.
   */
  public static Gateway start(Map<String, String> extra) {
    return start(extra, new JsonObject());
  }

  /** As {@link #start(Map)}, with settings that have no environment variable (as in the file). */
  public static Gateway start(Map<String, String> extra, JsonObject file) {
    get();
    return launch(extra, file);
  }

  private static Gateway launch(Map<String, String> extra) {
    return launch(extra, new JsonObject());
  }

  private static Gateway launch(Map<String, String> extra, JsonObject file) {
    TestServices services = TestServices.get();
    Map<String, String> env =
        new java.util.HashMap<>(
            Map.of(
                "CART_HTTP_PORT",
                String.valueOf(freePort()),
                "CART_REDIS_URL",
                services.redisUrl(),
                "CART_KAFKA_BOOTSTRAP",
                services.kafkaBootstrap(),
                "CART_DYNAMODB_ENDPOINT",
                services.dynamoDbEndpoint(),
                "CART_JWT_SECRET",
                JWT_SECRET,
                "CART_ADMIN_TOKEN",
                ADMIN_TOKEN,
                "CART_VERTICLE_INSTANCES",
                "2",
                "CART_ROLES",
                "http"));
    env.put("CART_SESSION_KEYS", SESSION_KEY);
    env.put("CART_REDIS_MODE", services.redisMode());
    // Tests drive one identity hard; RateLimitIT turns the limits on.
    env.put("CART_RATE_LIMIT_READS", "0");
    env.put("CART_RATE_LIMIT_WRITES", "0");
    // Every test client comes from 127.0.0.1; ClientHoldCapIT turns the per-client cap on.
    env.put("CART_CLIENT_HOLD_CAP", "0");
    env.putAll(extra);
    AppConfig config = ConfigLoader.fromLayers(file, new Properties(), env);
    try (DynamoDbAsyncClient dynamo = DynamoTables.client(config.dynamoDb())) {
      DynamoTables.ensure(dynamo, config.dynamoDb()).get(30, TimeUnit.SECONDS);
      Application app = Application.start(config).await(60, TimeUnit.SECONDS);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> app.close()));
      return new Gateway(config, app, Vertx.vertx());
    } catch (Exception e) {
      throw new IllegalStateException("gateway did not start", e);
    }
  }

  /**
   * Waits until a new cart takes a write on every Redis shard. On a Redis that has just lost its
   * data (or never had any) a write to a cart Redis lacks answers 503 for the publish window, since
   * a change applied before the loss may still be on its way to Kafka; tests that make Redis lose
   * its data call this before they end, so that the next test finds the store settled.
   */
  public void awaitWritable() {
    String sku = unique("PROBE");
    await("a new cart takes a write")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        // Redis or the gateway may still be coming back; an answer off the contract fails at once
        .ignoreExceptionsInstanceOf(RuntimeException.class)
        .until(
            () -> {
              putSku(sku, "1.00", "USD", 1_000_000);
              // and the catalog is back: a SKU Redis lacks is unknown (404), not "not restored"
              // (503)
              return add(unique("probe"), sku, 1).statusCode() == 200
                  && send(request("/v1/skus/" + unique("NONE")).GET().build()).statusCode() == 404
                  // and every shard of a cluster, not only the one the probe landed on
                  && new JsonObject(send(request("/health/ready").GET().build()).body())
                      .getJsonObject("shards", new JsonObject()).stream()
                          .allMatch(shard -> "writable".equals(shard.getValue()));
            });
  }

  /** The running application (its registry, its clients). */
  public Application application() {
    return app;
  }

  /** Stops this gateway (not the shared one). */
  public void close() {
    try {
      app.close().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("gateway did not stop", e);
    }
  }

  /** The configuration the gateway runs with. */
  public AppConfig config() {
    return config;
  }

  /** The base URL. */
  public String url() {
    return "http://127.0.0.1:" + config.http().port();
  }

  /** A valid token for a user. */
  public String userToken(String sub) {
    return signer.generateToken(
        new JsonObject().put("sub", sub), new JWTOptions().setExpiresInSeconds(600));
  }

  /**
   * A token signed with the test secret by hand, header and claims exactly as given, so that a test
   * can send tokens that no JWT library would make.
   */
  public static String handSignedToken(String header, String claims) {
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    String input =
        base64.encodeToString(header.getBytes(StandardCharsets.UTF_8))
            + "."
            + base64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(JWT_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return input
          + "."
          + base64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A fresh user id and SKU name, so tests never share state. */
  public static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 12);
  }

  /**
   * A new guest session id signed with the test key, as the gateway issues them; for tests that
   * need a guest without a first write.
   */
  public static String guestSession() {
    return SESSIONS.mint();
  }

  /** Starts a request to a path of the gateway. */
  public HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(10));
  }

  /**
   * Sends a request and reads the whole answer, which must be one {@code openapi.yaml} describes
   * (see {@link Contract#check}).
   */
  public HttpResponse<String> send(HttpRequest request) {
    HttpResponse<String> response = sendOffContract(request);
    Contract.get().check(request, response);
    return response;
  }

  /**
   * Sends a request the contract does not cover (a method or path the API does not serve, for
   * example), and reads the whole answer unchecked.
   */
  public HttpResponse<String> sendOffContract(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The client, for concurrent requests. */
  public HttpClient http() {
    return http;
  }

  /** Creates or updates a SKU through the admin route. */
  public JsonObject putSku(String sku, String price, String currency, long stock) {
    HttpResponse<String> response =
        send(
            request("/v1/admin/skus/" + sku)
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        new JsonObject()
                            .put("price", price)
                            .put("currency", currency)
                            .put("stock", stock)
                            .encode()))
                .build());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "PUT sku answered " + response.statusCode() + response.body());
    }
    return new JsonObject(response.body());
  }

  /** A SKU's counters. */
  public JsonObject sku(String sku) {
    HttpResponse<String> response = send(request("/v1/skus/" + sku).GET().build());
    return new JsonObject(response.body());
  }

  /** The cart of a user. */
  public JsonObject cart(String user) {
    HttpResponse<String> response = read(user);
    if (response.statusCode() != 200) {
      throw new IllegalStateException("GET cart answered " + response.statusCode());
    }
    return new JsonObject(response.body());
  }

  /** Reads a user's cart ({@code GET /v1/cart}) and returns the answer, whatever its status. */
  public HttpResponse<String> read(String user) {
    return send(
        request("/v1/cart").header("Authorization", "Bearer " + userToken(user)).GET().build());
  }

  /** Adds units to a user's cart and returns the answer. */
  public HttpResponse<String> add(String user, String sku, int quantity) {
    return send(
        request("/v1/cart/items")
            .header("Authorization", "Bearer " + userToken(user))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    new JsonObject().put("sku", sku).put("quantity", quantity).encode()))
            .build());
  }

  /** Empties a user's cart ({@code DELETE /v1/cart}), returning its holds to stock. */
  public HttpResponse<String> clear(String user) {
    return send(
        request("/v1/cart").header("Authorization", "Bearer " + userToken(user)).DELETE().build());
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Publishes an event of an empty cart straight to {@code cart.events} through the gateway's
   * producer, as a change would: something the worker group has to persist.
   *
   * @param cartId a user's cart id ({@code u:<id>})
   */
  public RecordMetadata publishCartEvent(String cartId) throws Exception {
    return app.clients()
        .producer()
        .send(
            new ProducerRecord<>(
                Topics.CART_EVENTS,
                cartId,
                new CartEvent(
                        cartId,
                        new Owner("user", cartId.substring(2)),
                        1,
                        System.currentTimeMillis(),
                        null,
                        List.of())
                    .toJson()
                    .encode()))
        .get(10, TimeUnit.SECONDS);
  }
}
