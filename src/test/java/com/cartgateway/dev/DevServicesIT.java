package com.cartgateway.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.support.TestServices;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

@DisplayName("The dev services")
class DevServicesIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static TestServices services;
  private static Vertx vertx;

  @BeforeAll
  static void startServices() {
    services = TestServices.get();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("Redis answers PING and publishes expired-key events")
  void redisAnswersPingWithExpiryEvents() throws Exception {
    assertThat(redis(Request.cmd(Command.PING)).toString()).isEqualTo("PONG");
    assertThat(keyspaceEventFlags()).contains("E").contains("x");
  }

  @Test
  @DisplayName("a record produced with acks=all to cart.events is consumed back")
  void kafkaRoundTrip() throws Exception {
    String key = "cart-" + UUID.randomUUID();
    RecordMetadata sent;
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig())) {
      sent =
          producer
              .send(new ProducerRecord<>("cart.events", key, "{\"type\":\"line-added\"}"))
              .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    TopicPartition partition = new TopicPartition("cart.events", sent.partition());
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig())) {
      consumer.assign(List.of(partition));
      consumer.seek(partition, sent.offset());
      Optional<ConsumerRecord<String, String>> received = Optional.empty();
      Instant deadline = Instant.now().plus(TIMEOUT);
      while (received.isEmpty() && Instant.now().isBefore(deadline)) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.key().equals(key)) {
            received = Optional.of(record);
          }
        }
      }
      assertThat(received).hasValueSatisfying(r -> assertThat(r.value()).contains("line-added"));
    }
  }

  @Test
  @DisplayName("DynamoDB Local creates a table, stores an item and reads it back")
  void dynamoDbCreatePutGet() throws Exception {
    String table = "devservices-it-" + UUID.randomUUID();
    try (DynamoDbAsyncClient dynamoDb = dynamoDbClient()) {
      dynamoDb
          .createTable(
              create ->
                  create
                      .tableName(table)
                      .billingMode(BillingMode.PAY_PER_REQUEST)
                      .keySchema(
                          KeySchemaElement.builder()
                              .attributeName("pk")
                              .keyType(KeyType.HASH)
                              .build())
                      .attributeDefinitions(
                          AttributeDefinition.builder()
                              .attributeName("pk")
                              .attributeType(ScalarAttributeType.S)
                              .build()))
          .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      dynamoDb
          .putItem(
              put ->
                  put.tableName(table)
                      .item(
                          Map.of(
                              "pk", AttributeValue.fromS("cart#1"),
                              "total", AttributeValue.fromN("1299"))))
          .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      GetItemResponse read =
          dynamoDb
              .getItem(
                  get ->
                      get.tableName(table)
                          .key(Map.of("pk", AttributeValue.fromS("cart#1")))
                          .consistentRead(true))
              .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

      assertThat(read.item()).containsEntry("total", AttributeValue.fromN("1299"));
    }
  }

  @Test
  @DisplayName("Redis killed with SIGKILL comes back on the same port with the same settings")
  void redisRestartsOnTheSamePort() throws Exception {
    ManagedService redis = services.redis();
    int port = redis.port();
    long killedPid = redis.pid();

    redis.kill();

    assertThat(ProcessHandle.of(killedPid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(redis.isRunning()).isFalse();
    assertThat(accepts(port)).isFalse();

    redis.start();

    assertThat(redis.port()).isEqualTo(port);
    assertThat(redis.pid()).isNotEqualTo(killedPid);
    assertThat(redis(Request.cmd(Command.PING)).toString()).isEqualTo("PONG");
    assertThat(keyspaceEventFlags()).contains("E").contains("x");
  }

  @Test
  @DisplayName("close() leaves no process and no temporary folder behind")
  void closeLeavesNothingBehind() {
    Set<Long> before = descendants();
    DevServices extra = DevServices.start(Optional.empty());
    Set<Long> started = descendants();
    started.removeAll(before);
    Path workDir = extra.workDir();
    assertThat(started).hasSizeGreaterThanOrEqualTo(3);

    extra.close();

    assertThat(descendants()).doesNotContainAnyElementsOf(started);
    assertThat(started).noneMatch(pid -> ProcessHandle.of(pid).isPresent());
    assertThat(workDir).doesNotExist();
  }

  @Test
  @DisplayName("the services end by themselves when their parent JVM is killed with SIGKILL")
  void servicesDieWithTheirParent() throws Exception {
    Path errors = Files.createTempFile("devservices-parent-", ".log");
    Process parent =
        new ProcessBuilder(
                JavaLauncher.forCurrentProcess(Path.of("target", "dev-services-it"))
                    .command(
                        List.of(),
                        Path.of(System.getProperty("java.io.tmpdir")),
                        ParentThatGetsKilled.class.getName(),
                        List.of()))
            .redirectError(errors.toFile())
            .start();
    try {
      List<String> started = readStartedLine(parent, errors);
      Path workDir = Path.of(started.get(0));
      Set<Long> children = started.stream().skip(1).map(Long::valueOf).collect(Collectors.toSet());
      assertThat(children).hasSizeGreaterThanOrEqualTo(3);

      parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(() -> assertThat(children).noneMatch(DevServicesIT::isAlive));
      // Nobody closed that instance: its folder waits for the next start to sweep it. Do it now.
      deleteRecursively(workDir);
    } finally {
      parent.destroyForcibly();
      Files.deleteIfExists(errors);
    }
  }

  /**
   * Starts dev services, prints "STARTED", the work folder and the pids of its descendants, and
   * waits to be killed.
   */
  public static final class ParentThatGetsKilled {
    private ParentThatGetsKilled() {}

    /** Entry point of the child JVM used by {@link #servicesDieWithTheirParent()}. */
    public static void main(String[] args) throws InterruptedException {
      DevServices services = DevServices.start(Optional.empty());
      System.out.println(
          "STARTED "
              + services.workDir()
              + " "
              + ProcessHandle.current()
                  .descendants()
                  .map(p -> Long.toString(p.pid()))
                  .collect(Collectors.joining(" ")));
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  private static List<String> readStartedLine(Process parent, Path errors) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith("STARTED ")) {
        return List.of(line.substring("STARTED ".length()).trim().split(" "));
      }
    }
    throw new AssertionError("the parent JVM ended without starting:\n" + Files.readString(errors));
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private static boolean isAlive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static Set<Long> descendants() {
    return ProcessHandle.current()
        .descendants()
        .map(ProcessHandle::pid)
        .collect(Collectors.toCollection(HashSet::new));
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(ManagedService.HOST, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** One command over a fresh client, so that no pooled connection outlives a restart. */
  private static Response redis(Request request) throws Exception {
    Redis client =
        Redis.createClient(
            vertx,
            new RedisOptions()
                .setConnectionString(services.redisUrl())
                .setPreferredProtocolVersion(ProtocolVersion.RESP2));
    try {
      return client.send(request).await(10, TimeUnit.SECONDS);
    } finally {
      client.close();
    }
  }

  /** The server normalises "Ex" to "xE". */
  private static String keyspaceEventFlags() throws Exception {
    Response reply = redis(Request.cmd(Command.CONFIG).arg("GET").arg("notify-keyspace-events"));
    return reply.get(1).toString();
  }

  private static Properties producerConfig() {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return config;
  }

  private static Properties consumerConfig() {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return config;
  }

  private static DynamoDbAsyncClient dynamoDbClient() {
    return DynamoDbAsyncClient.builder()
        .endpointOverride(URI.create(services.dynamoDbEndpoint()))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("dummy", "dummy")))
        .httpClientBuilder(NettyNioAsyncHttpClient.builder())
        .build();
  }
}
