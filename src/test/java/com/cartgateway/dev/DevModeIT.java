package com.cartgateway.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs the README's dev-mode command as a user would, then stops it as Ctrl-C would. */
@DisplayName("dev mode")
class DevModeIT {
  private final HttpClient http = HttpClient.newHttpClient();
  private final StringBuffer output = new StringBuffer();

  @ParameterizedTest(name = "CART_DEV_TOPOLOGY={0}")
  @ValueSource(strings = {"single", "cluster"})
  @DisplayName(
      "starts real services and the gateway, serves calls, and leaves no process behind on SIGTERM")
  void devModeLifecycle(String topology) throws Exception {
    boolean cluster = topology.equals("cluster");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ProcessBuilder builder =
        new ProcessBuilder("mvn", "-q", "-B", "-Pdev", "exec:java").redirectErrorStream(true);
    builder.environment().put("CART_HTTP_PORT", String.valueOf(port));
    builder.environment().put("CART_VERTICLE_INSTANCES", "1");
    builder.environment().put("CART_DEV_TOPOLOGY", topology);
    Process mvn = builder.start();
    Thread reader = new Thread(() -> drain(mvn), "dev-mode-output");
    reader.setDaemon(true);
    reader.start();
    String url = "http://127.0.0.1:" + port;
    List<ProcessHandle> children;
    try {
      awaitReady(url, mvn);
      assertThat(output.toString())
          .contains("dev services: redis=redis://127.0.0.1:")
          .contains(" kafka=127.0.0.1:")
          .contains(" dynamodb=http://127.0.0.1:")
          .contains("admin token:")
          .contains("curl");
      Matcher line =
          Pattern.compile("dev services: redis=(\\S+) kafka=(\\S+) dynamodb=").matcher(output);
      assertThat(line.find()).isTrue();
      assertThat(line.group(1).split(",")).as("Redis nodes").hasSize(cluster ? 6 : 1);
      assertThat(line.group(2).split(",")).as("Kafka brokers").hasSize(cluster ? 3 : 1);

      String admin = "Bearer " + DevMain.DEV_ADMIN_TOKEN;
      HttpResponse<String> sku =
          send(
              HttpRequest.newBuilder(URI.create(url + "/v1/admin/skus/DEV-1"))
                  .header("Authorization", admin)
                  .header("Content-Type", "application/json")
                  .PUT(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"price\":\"3.50\",\"currency\":\"EUR\",\"stock\":10}"))
                  .build());
      assertThat(sku.statusCode()).isEqualTo(200);
      String user = "Bearer " + DevTokens.user("dev-it");
      HttpResponse<String> added =
          send(
              HttpRequest.newBuilder(URI.create(url + "/v1/cart/items"))
                  .header("Authorization", user)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"DEV-1\",\"quantity\":3}"))
                  .build());
      assertThat(added.statusCode()).isEqualTo(200);
      HttpResponse<String> cart =
          send(
              HttpRequest.newBuilder(URI.create(url + "/v1/cart"))
                  .header("Authorization", user)
                  .GET()
                  .build());
      assertThat(new JsonObject(cart.body()).getString("subtotal")).isEqualTo("10.50");

      children = mvn.descendants().toList();
      assertThat(children)
          .as("every Redis node, broker and dynamodb run as child processes")
          .hasSizeGreaterThanOrEqualTo(cluster ? 10 : 3);
    } catch (Throwable e) {
      mvn.destroyForcibly();
      throw new AssertionError("dev mode output:\n" + output, e);
    }

    mvn.destroy(); // SIGTERM, as a service manager or Ctrl-C would
    assertThat(mvn.waitFor(60, TimeUnit.SECONDS)).as("dev mode exits after SIGTERM").isTrue();
    Instant deadline = Instant.now().plusSeconds(15);
    while (children.stream().anyMatch(ProcessHandle::isAlive) && Instant.now().isBefore(deadline)) {
      Thread.sleep(200);
    }
    assertThat(children.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList())
        .as("processes left behind")
        .isEmpty();
  }

  /**
   * Polls the probe until the banner is out, and checks that the two agree: the probe answers 503
   * after the gateway is up and before the banner, and 200 from the banner on.
   */
  private void awaitReady(String url, Process mvn) throws InterruptedException {
    boolean refusedBeforeBanner = false;
    Instant deadline = Instant.now().plusSeconds(240);
    while (Instant.now().isBefore(deadline)) {
      if (!mvn.isAlive()) {
        throw new AssertionError("dev mode exited with " + mvn.exitValue());
      }
      // read before the probe: a banner printed after this read cannot fail the check below
      boolean banner = output.toString().contains("ready at " + url);
      try {
        HttpResponse<String> ready =
            http.send(
                HttpRequest.newBuilder(URI.create(url + "/health/ready"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (banner) {
          assertThat(ready.statusCode())
              .as("the probe once the banner says ready: %s", ready.body())
              .isEqualTo(200);
          assertThat(refusedBeforeBanner)
              .as("the probe answered 503 while the banner was not out")
              .isTrue();
          return;
        }
        // on an empty Redis the gateway waits out the publish window (seconds) before writes
        refusedBeforeBanner |= ready.statusCode() == 503;
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError("dev mode not ready within 240 s");
  }

  private HttpResponse<String> send(HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private void drain(Process process) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        output.append(line).append('\n');
      }
    } catch (IOException e) {
      output.append("[output closed: ").append(e.getMessage()).append("]\n");
    }
  }
}
