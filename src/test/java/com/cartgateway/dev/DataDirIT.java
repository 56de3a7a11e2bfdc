package com.cartgateway.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.dynamo.DynamoCarts;
import com.cartgateway.events.CartEvent;
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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/**
 * Dev mode with {@code CART_DATA_DIR} keeps the data of all three services across a restart: the
 * cart and its holds in Redis, the {@code cart.events} log in Kafka, the durable copy in DynamoDB
 * Local. Dev mode runs as it does for a user, {@link DevMain} in a JVM of its own, stopped with
 * SIGTERM.
 */
@DisplayName("dev mode with CART_DATA_DIR")
class DataDirIT {
  private static final Pattern SERVICES =
      Pattern.compile("dev services: redis=\\S+ kafka=(\\S+) dynamodb=(\\S+)");
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  @DisplayName(
      "keeps the cart, the stock held for it, the cart.events log and DynamoDB's copy across a"
          + " restart")
  void keepsEverything(@TempDir Path dataDir) throws Exception {
    String sub = "keeper-" + UUID.randomUUID();
    String cartId = "u:" + sub;
    String user = "Bearer " + DevTokens.user(sub);
    JsonObject before;
    try (DevProcess first = DevProcess.start(dataDir)) {
      assertThat(
              send(first
                      .request("/v1/admin/skus/KEEP-1")
                      .header("Authorization", "Bearer " + DevMain.DEV_ADMIN_TOKEN)
                      .header("Content-Type", "application/json")
                      .PUT(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"price\":\"4.00\",\"currency\":\"EUR\",\"stock\":10}"))
                      .build())
                  .statusCode())
          .isEqualTo(200);
      HttpResponse<String> added =
          send(
              first
                  .request("/v1/cart/items")
                  .header("Authorization", user)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"KEEP-1\",\"quantity\":3}"))
                  .build());
      assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
      before = new JsonObject(added.body());
      awaitStored(first, cartId, before.getLong("version"));
    }

    try (DevProcess second = DevProcess.start(dataDir)) {
      JsonObject cart =
          new JsonObject(
              send(second.request("/v1/cart").header("Authorization", user).GET().build()).body());
      assertThat(cart.getLong("version")).isEqualTo(before.getLong("version"));
      assertThat(cart.getJsonArray("items").getJsonObject(0).getInteger("quantity")).isEqualTo(3);
      JsonObject stock =
          new JsonObject(send(second.request("/v1/skus/KEEP-1").GET().build()).body());
      assertThat(stock.getLong("reserved")).as("Redis kept the hold").isEqualTo(3);
      assertThat(second.stored(cartId))
          .as("DynamoDB Local kept the cart")
          .hasValueSatisfying(e -> assertThat(e.version()).isEqualTo(before.getLong("version")));
      assertThat(second.logged(cartId)).as("Kafka kept the cart's events").isPositive();
    }
  }

  private void awaitStored(DevProcess dev, String cartId, long version) {
    await("the worker stores the cart")
        .atMost(Duration.ofSeconds(60))
        .until(() -> dev.stored(cartId).map(CartEvent::version).orElse(0L) >= version);
  }

  private HttpResponse<String> send(HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** One run of dev mode in its own JVM, on a free port, with a data folder. */
  private static final class DevProcess implements AutoCloseable {
    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final String url;
    private String kafka;
    private String dynamoDbEndpoint;

    private DevProcess(Process process, String url) {
      this.process = process;
      this.url = url;
    }

    static DevProcess start(Path dataDir) throws Exception {
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      ProcessBuilder builder =
          new ProcessBuilder(
                  JavaLauncher.forCurrentProcess(Path.of("target", "data-dir-it"))
                      .command(
                          List.of(
                              "-Djava.util.logging.config.file="
                                  + System.getProperty("java.util.logging.config.file", "")),
                          Path.of(System.getProperty("java.io.tmpdir")),
                          DevMain.class.getName(),
                          List.of()))
              .redirectErrorStream(true);
      builder.environment().put("CART_DATA_DIR", dataDir.toString());
      builder.environment().put("CART_HTTP_PORT", Integer.toString(port));
      builder.environment().put("CART_VERTICLE_INSTANCES", "1");
      DevProcess dev = new DevProcess(builder.start(), "http://127.0.0.1:" + port);
      Thread reader = new Thread(dev::drain, "dev-output");
      reader.setDaemon(true);
      reader.start();
      try {
        dev.awaitBanner();
      } catch (Throwable e) {
        dev.process.destroyForcibly();
        throw new AssertionError("dev mode output:\n" + dev.output, e);
      }
      return dev;
    }

    HttpRequest.Builder request(String path) {
      return HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10));
    }

    /** DynamoDB's copy of a cart (consistent read). */
    Optional<CartEvent> stored(String cartId) throws Exception {
      try (DynamoDbAsyncClient client =
          DynamoDbAsyncClient.builder()
              .endpointOverride(URI.create(dynamoDbEndpoint))
              .region(Region.US_EAST_1)
              .credentialsProvider(
                  StaticCredentialsProvider.create(AwsBasicCredentials.create("dummy", "dummy")))
              .build()) {
        return new DynamoCarts(client, "cart-gateway-carts")
            .read(cartId)
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
      }
    }

    /** How many records of the cart cart.events holds, read from the earliest offset. */
    long logged(String cartId) {
      Properties config = new Properties();
      config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
      config.put(ConsumerConfig.GROUP_ID_CONFIG, "data-dir-it-" + UUID.randomUUID());
      config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      config.put(
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      long found = 0;
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
        consumer.subscribe(List.of("cart.events"));
        Instant deadline = Instant.now().plusSeconds(20);
        while (found == 0 && Instant.now().isBefore(deadline)) {
          for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
            if (cartId.equals(record.key())) {
              found++;
            }
          }
        }
      }
      return found;
    }

    private void awaitBanner() throws InterruptedException {
      Instant deadline = Instant.now().plusSeconds(120);
      while (!output.toString().contains("ready at " + url)) {
        if (!process.isAlive()) {
          throw new AssertionError("dev mode exited with " + process.exitValue());
        }
        if (Instant.now().isAfter(deadline)) {
          throw new AssertionError("dev mode not ready within 120 s");
        }
        Thread.sleep(200);
      }
      Matcher services = SERVICES.matcher(output);
      assertThat(services.find()).as("the banner names the services").isTrue();
      kafka = services.group(1);
      dynamoDbEndpoint = services.group(2);
    }

    private void drain() {
      try (BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          output.append(line).append('\n');
        }
      } catch (IOException ended) {
        // the process is gone
      }
    }

    /** SIGTERM, as Ctrl-C would: the gateway stops, then every service, keeping their data. */
    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("dev mode did not stop on SIGTERM:\n" + output);
      }
    }
  }
}
