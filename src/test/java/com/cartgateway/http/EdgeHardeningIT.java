package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.support.Gateway;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP port as the internet sees it, spoken to over raw sockets: framing that could smuggle a
 * request, heads and bodies Netty cannot decode, slow and idle clients, too many connections, and
 * labels a client could multiply.
 */
@DisplayName("the HTTP edge")
class EdgeHardeningIT {
  private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(1000);
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration HEADER_TIMEOUT = Duration.ofMillis(1000);

  /** How long a raw read waits before taking the connection for open; far past every timeout. */
  private static final int READ_LIMIT_MILLIS = 15_000;

  private static final Pattern STATUS_LINE = Pattern.compile("(?m)^HTTP/1\\.[01] (\\d{3}) ");

  private static Gateway edge;

  @BeforeAll
  static void start() {
    edge =
        Gateway.start(
            Map.of(
                "CART_REQUEST_TIMEOUT_MILLIS",
                String.valueOf(REQUEST_TIMEOUT.toMillis()),
                "CART_HTTP_IDLE_TIMEOUT_SECONDS",
                String.valueOf(IDLE_TIMEOUT.toSeconds()),
                "CART_HTTP_HEADER_TIMEOUT_MILLIS",
                String.valueOf(HEADER_TIMEOUT.toMillis())));
  }

  @AfterAll
  static void stop() {
    edge.close();
  }

  static Stream<Arguments> smuggling() {
    return Stream.of(
        Arguments.of(
            "Content-Length with chunked",
            "HTTP/1.1",
            "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
            "0\r\n\r\n"),
        Arguments.of(
            "Content-Length with a coding other than chunked",
            "HTTP/1.1",
            "Content-Length: 2\r\nTransfer-Encoding: xchunked\r\n",
            "{}"),
        Arguments.of(
            "chunked in HTTP/1.0", "HTTP/1.0", "Transfer-Encoding: chunked\r\n", "0\r\n\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("smuggling")
  @DisplayName(
      "a request whose framing a proxy could read otherwise is refused with 400, the connection"
          + " closes, and the bytes after it never run as a request")
  void smugglingIsRefused(String name, String version, String framing, String body)
      throws Exception {
    String user = Gateway.unique("shopper");
    String sku = Gateway.unique("SKU");
    edge.putSku(sku, "1.00", "USD", 10);
    assertThat(edge.add(user, sku, 1).statusCode()).isEqualTo(200);
    String smuggled =
        "DELETE /v1/cart HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer "
            + edge.userToken(user)
            + "\r\n\r\n";

    Raw answer =
        exchange(
            "POST /v1/cart/items "
                + version
                + "\r\nHost: gateway\r\nContent-Type: application/json\r\nAuthorization: Bearer "
                + edge.userToken(user)
                + "\r\n"
                + framing
                + "\r\n"
                + body
                + smuggled);

    assertThat(answer.statuses()).containsExactly(400);
    assertProblem(answer, 400, "validation_failed");
    assertThat(answer.closed()).as("closed by the gateway").isTrue();
    assertThat(edge.cart(user).getJsonArray("items")).hasSize(1);
  }

  @Test
  @DisplayName("an HTTP/1.1 request without Host is a 400 problem, not a 500")
  void missingHost() throws Exception {
    Raw answer = exchange("GET /v1/skus/ANY HTTP/1.1\r\nConnection: close\r\n\r\n");
    assertProblem(answer, 400, "validation_failed");
  }

  @Test
  @DisplayName("an expectation other than 100-continue is a 417 problem")
  void unknownExpectation() throws Exception {
    Raw answer =
        exchange(
            "GET /v1/skus/ANY HTTP/1.1\r\nHost: gateway\r\nExpect: 200-ok\r\n"
                + "Connection: close\r\n\r\n");
    assertProblem(answer, 417, "expectation_failed");
  }

  @Test
  @DisplayName("a chunked body with broken framing is a 400 problem, then the connection closes")
  void malformedChunkedBody() throws Exception {
    String user = Gateway.unique("shopper");
    String sku = Gateway.unique("SKU");
    edge.putSku(sku, "1.00", "USD", 10);
    Raw answer =
        exchange(
            "POST /v1/cart/items HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer "
                + edge.userToken(user)
                + "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"sku\r\nZZ\r\nxx\r\n0\r\n\r\n");
    assertProblem(answer, 400, "validation_failed");
    assertThat(answer.closed()).isTrue();
    assertThat(edge.cart(user).getJsonArray("items")).isEmpty();
  }

  static Stream<Arguments> undecodable() {
    return Stream.of(
        Arguments.of(
            "a request line that is not HTTP", "GARBAGE\r\n\r\n", 400, "validation_failed"),
        Arguments.of(
            "a header of 9 KB",
            "GET /v1/skus/ANY HTTP/1.1\r\nHost: gateway\r\nX-Big: "
                + "a".repeat(9 * 1024)
                + "\r\n\r\n",
            431,
            "headers_too_large"),
        Arguments.of(
            "a request line of 5 KB",
            "GET /v1/skus/" + "A".repeat(5 * 1024) + " HTTP/1.1\r\nHost: gateway\r\n\r\n",
            414,
            "uri_too_long"),
        Arguments.of(
            "a path with a bad percent-encoding",
            "GET /v1/skus/%zz HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n",
            400,
            "validation_failed"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("undecodable")
  @DisplayName("a request the codec or the router cannot decode gets a problem+json body")
  void undecodableRequests(String name, String request, int status, String code) throws Exception {
    assertProblem(exchange(request), status, code);
  }

  @Test
  @DisplayName(
      "a body still arriving when the deadline passes gets 408, not 503, and the connection closes")
  void slowBody() throws Exception {
    String user = Gateway.unique("shopper");
    try (Socket socket = open()) {
      send(
          socket,
          "POST /v1/cart/items HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
              + "Authorization: Bearer "
              + edge.userToken(user)
              + "\r\nContent-Length: 40\r\n\r\n{\"sku\":");
      Raw answer = read(socket);
      assertProblem(answer, 408, "request_timeout");
      assertThat(answer.head()).doesNotContainIgnoringCase("Retry-After");
      assertThat(answer.closed()).isTrue();
    }
  }

  @Test
  @DisplayName("a connection that sends nothing is closed after the idle timeout")
  void idleConnectionCloses() throws Exception {
    try (Socket socket = open()) {
      Raw answer = read(socket);
      assertThat(answer.closed()).isTrue();
      assertThat(answer.text()).isEmpty();
    }
  }

  @Test
  @DisplayName(
      "a request head trickling in a byte at a time is closed after the header timeout, though"
          + " it is never idle")
  void stalledHeadCloses() throws Exception {
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    try (Socket socket = open()) {
      send(socket, "GET /v1/skus/ANY HTTP/1.1\r\nHost: gateway\r\n");
      OutputStream out = socket.getOutputStream();
      // Never idle for as long as the idle timeout: only the header timeout can close it.
      trickle.scheduleAtFixedRate(
          () -> {
            try {
              out.write('X');
              out.flush();
            } catch (IOException closed) {
              throw new IllegalStateException(closed);
            }
          },
          0,
          IDLE_TIMEOUT.toMillis() / 4,
          TimeUnit.MILLISECONDS);
      Raw answer = read(socket);
      assertThat(answer.closed()).isTrue();
      assertThat(answer.statuses()).isEmpty();
    } finally {
      trickle.shutdownNow();
    }
  }

  @Test
  @DisplayName(
      "past the connection cap, a connection gets a 503 and closes, while /health/live still"
          + " answers; a freed place serves again")
  void connectionCap() throws Exception {
    Gateway capped =
        Gateway.start(
            Map.of(
                "CART_HTTP_MAX_CONNECTIONS", "2",
                "CART_HTTP_HEADER_TIMEOUT_MILLIS", "60000",
                "CART_HTTP_IDLE_TIMEOUT_SECONDS", "120"));
    try (Socket first = open(capped);
        Socket second = open(capped)) {
      // Each holds a place once it has been served (kept alive).
      for (Socket held : List.of(first, second)) {
        send(held, "GET /health/live HTTP/1.1\r\nHost: gateway\r\n\r\n");
        assertThat(readResponse(held)).startsWith("HTTP/1.1 200");
      }

      Raw refused = exchange(capped, "GET /v1/skus/ANY HTTP/1.1\r\nHost: gateway\r\n\r\n");
      assertProblem(refused, 503, "unavailable");
      assertThat(refused.head()).containsIgnoringCase("Retry-After");
      assertThat(refused.closed()).isTrue();

      Raw live = exchange(capped, "GET /health/live HTTP/1.1\r\nHost: gateway\r\n\r\n");
      assertThat(live.statuses()).containsExactly(200);
      assertThat(live.closed()).isTrue();

      first.close();
      await("a freed place serves again")
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  exchange(
                          capped,
                          "GET /v1/skus/ANY HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n")
                      .statuses()
                      .equals(List.of(404)));
    } finally {
      capped.close();
    }
  }

  @Test
  @DisplayName("ten invented methods add no series to /metrics")
  void inventedMethodsAddNoSeries() {
    // the first makes the series every other one is counted under, as the first scrape does
    sendMethod("INVENTED-0");
    requestSeries();
    Set<String> before = requestSeries();
    for (int i = 1; i <= 10; i++) {
      sendMethod("INVENTED-" + i);
    }
    Set<String> after = requestSeries();
    assertThat(after).isEqualTo(before);
    assertThat(String.join("\n", after)).doesNotContain("INVENTED");
  }

  @Test
  @DisplayName(
      "with no trusted proxy, X-Forwarded-For from a private or local peer is warned about once")
  void forwardedWithoutTrustedProxyIsWarnedOnce() throws Exception {
    List<LogRecord> warnings = new ArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public synchronized void publish(LogRecord record) {
            if (record.getLevel() == Level.WARNING
                && record.getMessage().contains("X-Forwarded-For")) {
              warnings.add(record);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger logger = Logger.getLogger("com.cartgateway.http.HttpEdge");
    logger.addHandler(capture);
    try {
      for (int i = 0; i < 3; i++) {
        edge.sendOffContract(
            edge.request("/health/live").header("X-Forwarded-For", "203.0.113.7").GET().build());
      }
      synchronized (capture) {
        assertThat(warnings).hasSize(1);
      }
    } finally {
      logger.removeHandler(capture);
    }
  }

  private static void sendMethod(String method) {
    edge.sendOffContract(
        edge.request("/v1/cart").method(method, HttpRequest.BodyPublishers.noBody()).build());
  }

  /** The series of the request metrics, without their values. */
  private static Set<String> requestSeries() {
    String metrics = edge.sendOffContract(edge.request("/metrics").GET().build()).body();
    Set<String> series = new TreeSet<>();
    for (String line : metrics.split("\n")) {
      if (line.startsWith("http_server_requests")) {
        series.add(line.substring(0, line.lastIndexOf(' ')));
      }
    }
    return series;
  }

  private static void assertProblem(Raw answer, int status, String code) {
    assertThat(answer.statuses()).as(answer.text()).startsWith(status);
    assertThat(answer.head()).containsIgnoringCase("Content-Type: application/problem+json");
    JsonObject problem = new JsonObject(answer.body());
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("code")).isEqualTo(code);
  }

  private static Socket open() throws IOException {
    return open(edge);
  }

  private static Socket open(Gateway gateway) throws IOException {
    Socket socket = new Socket("127.0.0.1", gateway.config().http().port());
    socket.setSoTimeout(READ_LIMIT_MILLIS);
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  private static Raw exchange(String request) throws IOException {
    return exchange(edge, request);
  }

  /** Sends raw bytes on a new connection and reads until the gateway closes it. */
  private static Raw exchange(Gateway gateway, String request) throws IOException {
    try (Socket socket = open(gateway)) {
      send(socket, request);
      return read(socket);
    }
  }

  /** Reads until the gateway closes the connection, or the read limit passes. */
  private static Raw read(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    boolean closed;
    try {
      int read;
      while ((read = in.read(buffer)) >= 0) {
        bytes.write(buffer, 0, read);
      }
      closed = true;
    } catch (SocketTimeoutException open) {
      closed = false;
    } catch (IOException reset) {
      closed = true;
    }
    return new Raw(bytes.toString(StandardCharsets.ISO_8859_1), closed);
  }

  /** Reads one response whose body has a Content-Length, leaving the connection open. */
  private static String readResponse(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int next = in.read();
      if (next < 0) {
        throw new IOException("closed after " + head);
      }
      head.append((char) next);
    }
    Matcher length = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
    int remaining = length.find() ? Integer.parseInt(length.group(1)) : 0;
    byte[] body = in.readNBytes(remaining);
    return head + new String(body, StandardCharsets.ISO_8859_1);
  }

  /** What came back on a raw connection, and whether the gateway closed it. */
  private record Raw(String text, boolean closed) {
    List<Integer> statuses() {
      List<Integer> statuses = new ArrayList<>();
      Matcher matcher = STATUS_LINE.matcher(text);
      while (matcher.find()) {
        statuses.add(Integer.parseInt(matcher.group(1)));
      }
      return statuses;
    }

    String head() {
      int end = text.indexOf("\r\n\r\n");
      return end < 0 ? text : text.substring(0, end);
    }

    String body() {
      int end = text.indexOf("\r\n\r\n");
      return end < 0 ? "" : text.substring(end + 4);
    }
  }
}
