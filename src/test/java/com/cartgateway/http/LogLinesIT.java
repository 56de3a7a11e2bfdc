package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.cartgateway.app.Logging;
import com.cartgateway.config.AppConfig;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.RedisGate;
import com.cartgateway.worker.WriteBehindLoop;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The console lines of requests, in the JSON format production writes: captured from standard
 * output (where Logback's console appender writes), one JSON object per line.
 */
@DisplayName("log lines")
class LogLinesIT {
  private static final PrintStream ORIGINAL_OUT = System.out;
  private static final ByteArrayOutputStream CAPTURED = new ByteArrayOutputStream();

  private final Gateway gateway = Gateway.get();

  @BeforeAll
  static void captureJson() {
    Gateway.get();
    System.setOut(new PrintStream(new Tee(ORIGINAL_OUT, CAPTURED), true, StandardCharsets.UTF_8));
    Logging.use(AppConfig.LogFormat.JSON);
  }

  @AfterAll
  static void backToText() {
    Logging.use(AppConfig.LogFormat.TEXT);
    System.setOut(ORIGINAL_OUT);
  }

  @Test
  @DisplayName(
      "every line of a refused request is one JSON object carrying the trace id it was sent,"
          + " the access line included")
  void refusedRequestLines() throws Exception {
    try (RedisGate gate = RedisGate.start()) {
      Gateway gated =
          Gateway.start(
              Map.of("CART_REDIS_URL", gate.url(), "CART_NEAR_CACHE_ENTRIES", "0"),
              new JsonObject().put("redis", new JsonObject().put("commandTimeoutMillis", 200)));
      try {
        String user = Gateway.unique("logged");
        String sku = Gateway.unique("SKU");
        gated.putSku(sku, "1.00", "USD", 10);
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String requestId = Gateway.unique("req");
        // A write, since a read whose Redis fails is served from DynamoDB (a stale read, 200).
        gate.hold(user);
        HttpResponse<String> response =
            gated.send(
                gated
                    .request("/v1/cart/items")
                    .header("Authorization", "Bearer " + gated.userToken(user))
                    .header("Content-Type", "application/json")
                    .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                    .header("X-Request-Id", requestId)
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"sku\":\"" + sku + "\",\"quantity\":1}"))
                    .build());
        gate.open();
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("traceparent"))
            .hasValueSatisfying(
                header ->
                    assertThat(header)
                        .startsWith("00-" + traceId + "-")
                        .doesNotContain("00f067aa0ba902b7"));

        List<JsonObject> lines = awaitLines(requestId, 2);
        assertThat(lines)
            .allSatisfy(
                line -> {
                  assertThat(line.getLong("timestamp")).isPositive();
                  assertThat(line.getString("level")).isNotBlank();
                  assertThat(line.getString("loggerName")).isNotBlank();
                  assertThat(line.getString("message")).isNotBlank();
                  JsonObject mdc = line.getJsonObject("mdc");
                  assertThat(mdc.getString("traceId")).isEqualTo(traceId);
                  assertThat(mdc.getString("requestId")).isEqualTo(requestId);
                  assertThat(mdc.getString("spanId")).hasSize(16);
                });
        assertThat(lines)
            .anySatisfy(
                line -> {
                  assertThat(line.getString("loggerName")).isEqualTo(Problems.class.getName());
                  assertThat(line.getString("level")).isEqualTo("WARN");
                });
        JsonObject access = accessLine(lines);
        assertThat(access.getString("method")).isEqualTo("POST");
        assertThat(access.getString("route")).isEqualTo("/v1/cart/items");
        assertThat(access.getString("status")).isEqualTo("503");
        assertThat(Double.parseDouble(access.getString("latencyMs"))).isPositive();
        assertThat(Long.parseLong(access.getString("bytes"))).isPositive();
      } finally {
        gated.close();
      }
    }
  }

  @Test
  @DisplayName(
      "an access line names the route pattern and the shopper only by a keyed hash: no token,"
          + " no user id, no guest session")
  void accessLineHidesIdentities() throws Exception {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "3.00", "USD", 10);
    String user = Gateway.unique("private-shopper");
    String token = gateway.userToken(user);
    assertThat(gateway.add(user, sku, 1).statusCode()).isEqualTo(200);
    String userRequest = Gateway.unique("req");
    HttpResponse<String> set =
        gateway.send(
            gateway
                .request("/v1/cart/items/" + sku)
                .header("Authorization", "Bearer " + token)
                .header("X-Request-Id", userRequest)
                .header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"quantity\":2}"))
                .build());
    assertThat(set.statusCode()).isEqualTo(200);

    HttpResponse<String> guestAdd =
        gateway.send(
            gateway
                .request("/v1/cart/items")
                .header("Content-Type", "application/json")
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        new JsonObject().put("sku", sku).put("quantity", 1).encode()))
                .build());
    String session = guestAdd.headers().firstValue("X-Cart-Session").orElseThrow();
    String guestRequest = Gateway.unique("req");
    HttpResponse<String> guestRead =
        gateway.send(
            gateway
                .request("/v1/cart")
                .header("X-Cart-Session", session)
                .header("X-Request-Id", guestRequest)
                .GET()
                .build());
    assertThat(guestRead.statusCode()).isEqualTo(200);

    JsonObject userLine = accessLine(awaitLines(userRequest, 1));
    assertThat(userLine.getString("route")).isEqualTo("/v1/cart/items/:sku");
    assertThat(userLine.getString("user")).matches("[0-9a-f]{24}");
    assertThat(userLine.getString("cart")).isEqualTo("u:" + userLine.getString("user"));
    assertThat(userLine.encode()).doesNotContain(user).doesNotContain(token);

    JsonObject guestLine = accessLine(awaitLines(guestRequest, 1));
    assertThat(guestLine.getString("cart")).matches("g:[0-9a-f]{24}");
    assertThat(guestLine.containsKey("user")).isFalse();
    assertThat(guestLine.encode()).doesNotContain(session);
  }

  @Test
  @DisplayName("the worker logs each write to DynamoDB with the trace id of the request behind it")
  void workerContinuesTheTrace() throws Exception {
    String worker = WriteBehindLoop.class.getName();
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(worker)).setLevel(Level.DEBUG);
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "4.00", "USD", 10);
    String traceId = "5bf92f3577b34da6a3ce929d0e0e4737";
    HttpResponse<String> add =
        gateway.send(
            gateway
                .request("/v1/cart/items")
                .header("Authorization", "Bearer " + gateway.userToken(Gateway.unique("worked")))
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .header("Content-Type", "application/json")
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        new JsonObject().put("sku", sku).put("quantity", 1).encode()))
                .build());
    assertThat(add.statusCode()).isEqualTo(200);

    List<JsonObject> lines =
        awaitLines(
            traceId,
            found -> found.stream().anyMatch(line -> worker.equals(line.getString("loggerName"))));
    assertThat(lines)
        .filteredOn(line -> worker.equals(line.getString("loggerName")))
        .isNotEmpty()
        .allSatisfy(
            line -> assertThat(line.getJsonObject("mdc").getString("traceId")).isEqualTo(traceId));
  }

  /** The access line among a request's lines, its key-value pairs merged into it. */
  private static JsonObject accessLine(List<JsonObject> lines) {
    JsonObject access =
        lines.stream()
            .filter(line -> AccessLog.LOGGER.equals(line.getString("loggerName")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no access line in " + lines))
            .copy();
    JsonArray pairs = access.getJsonArray("kvpList", new JsonArray());
    for (int i = 0; i < pairs.size(); i++) {
      JsonObject pair = pairs.getJsonObject(i);
      pair.forEach(entry -> access.put(entry.getKey(), String.valueOf(entry.getValue())));
    }
    return access;
  }

  /**
   * Every captured line that mentions the request id, each parsed as JSON (a line that is not JSON
   * fails the test), once there are at least {@code count} and the access line is among them.
   */
  private static List<JsonObject> awaitLines(String requestId, int count) throws Exception {
    return awaitLines(
        requestId,
        lines ->
            lines.size() >= count
                && lines.stream()
                    .anyMatch(line -> AccessLog.LOGGER.equals(line.getString("loggerName"))));
  }

  /** Every captured line that mentions {@code text}, parsed as JSON, once {@code enough} holds. */
  private static List<JsonObject> awaitLines(String text, Predicate<List<JsonObject>> enough)
      throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (true) {
      List<JsonObject> lines;
      synchronized (CAPTURED) {
        lines =
            CAPTURED
                .toString(StandardCharsets.UTF_8)
                .lines()
                .filter(line -> line.contains(text))
                .map(JsonObject::new)
                .toList();
      }
      if (enough.test(lines) || Instant.now().isAfter(deadline)) {
        return lines;
      }
      Thread.sleep(50);
    }
  }

  /** Writes to the real standard output and to the capture. */
  private static final class Tee extends OutputStream {
    private final OutputStream first;
    private final ByteArrayOutputStream second;

    Tee(OutputStream first, ByteArrayOutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void write(int b) {
      synchronized (second) {
        second.write(b);
      }
      try {
        first.write(b);
      } catch (Exception ignored) {
        // the capture is what the test reads
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      synchronized (second) {
        second.write(b, off, len);
      }
      try {
        first.write(b, off, len);
      } catch (Exception ignored) {
        // the capture is what the test reads
      }
    }
  }
}
