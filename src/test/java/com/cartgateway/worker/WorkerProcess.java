package com.cartgateway.worker;

import com.cartgateway.cart.CartBodies;
import com.cartgateway.cart.RefusedWriters;
import com.cartgateway.commerce.CartLine;
import com.cartgateway.config.AppConfig;
import com.cartgateway.config.ConfigLoader;
import com.cartgateway.durability.GroupProgress;
import com.cartgateway.dynamo.DynamoCarts;
import com.cartgateway.dynamo.DynamoTables;
import com.cartgateway.events.CartEvent;
import com.cartgateway.events.DirectSends;
import com.cartgateway.events.Topics;
import com.cartgateway.identity.Owner;
import com.cartgateway.inventory.PriceCache;
import com.cartgateway.process.ProcessClients;
import com.cartgateway.store.NearCache;
import com.cartgateway.support.TestServices;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/**
 * One worker process for the tests, on the shared real services: its own Vert.x, metrics registry
 * and clients, so that two of them behave as two gateway processes. Also publishes events and reads
 * what the worker group and DynamoDB hold.
 */
final class WorkerProcess implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final long BASE_MILLIS = System.currentTimeMillis();
  // One DynamoDB client for every test process: closing one takes 2 s (its event loops' quiet
  // period), and it reconnects by itself after DynamoDB Local restarts on the same port.
  private static DynamoDbAsyncClient dynamo;

  final AppConfig config;
  final Vertx vertx = Vertx.vertx();
  final ProcessClients clients;
  final DynamoCarts carts;

  private WorkerProcess(AppConfig config) {
    this.config = config;
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Producer<String, String> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.kafka().bootstrap(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class));
    Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrap()));
    this.clients =
        new ProcessClients(
            registry,
            new PriceCache(Duration.ofSeconds(1), registry),
            new CartBodies(0, registry),
            NearCache.off(),
            new RefusedWriters(),
            admin,
            sharedDynamo(config),
            producer,
            new DirectSends(),
            Optional.empty(),
            GroupProgress.ofWorkers(admin, config.worker().groupId(), Topics.CART_EVENTS, registry),
            GroupProgress.ofWorkers(
                admin, config.worker().groupId(), Topics.CATALOG_EVENTS, registry));
    this.carts = new DynamoCarts(clients.dynamo(), config.dynamoDb().cartsTable());
  }

  private static synchronized DynamoDbAsyncClient sharedDynamo(AppConfig config) {
    if (dynamo == null) {
      dynamo = DynamoTables.client(config.dynamoDb());
    }
    return dynamo;
  }

  /** A process with its own carts table and consumer group, and fast retries. */
  static WorkerProcess start(String table, String group, int maxPollRecords) {
    return new WorkerProcess(config(table, group, maxPollRecords));
  }

  static AppConfig config(String table, String group, int maxPollRecords) {
    TestServices services = TestServices.get();
    JsonObject file =
        new JsonObject()
            .put("dynamodb", new JsonObject().put("cartsTable", table))
            .put(
                "worker",
                new JsonObject()
                    .put("groupId", group)
                    .put("maxPollRecords", maxPollRecords)
                    .put("retryInitialMillis", 20)
                    .put("retryMaxMillis", 300)
                    .put("shutdownGraceMillis", 20_000));
    Map<String, String> env =
        Map.of(
            "CART_ROLES", "worker",
            "CART_KAFKA_BOOTSTRAP", services.kafkaBootstrap(),
            "CART_DYNAMODB_ENDPOINT", services.dynamoDbEndpoint(),
            "CART_JWT_SECRET", "test-secret-test-secret-test-secret-42",
            "CART_ADMIN_TOKEN", "test-admin-token-0123456789");
    return ConfigLoader.fromLayers(file, new Properties(), env);
  }

  /** A fresh name, so that tests share no table, group or cart. */
  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Creates this process's carts table (and the default catalog table). */
  void createTable() {
    join(Future.fromCompletionStage(DynamoTables.ensure(clients.dynamo(), config.dynamoDb())));
  }

  /** Deploys one worker verticle as the application does; returns its deployment id. */
  String deploy() {
    return join(
        vertx.deployVerticle(
            new WorkerRole(
                    config,
                    clients.registry(),
                    clients.cartProgress(),
                    clients.dynamo(),
                    clients.spans())
                .verticle(),
            new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)));
  }

  Future<Void> undeploy(String deployment) {
    return vertx.undeploy(deployment);
  }

  /** Version {@code version} of a cart: one line whose quantity is the version. */
  static CartEvent event(String cartId, long version) {
    long at = BASE_MILLIS + version * 1_000;
    return new CartEvent(
        cartId,
        new Owner("user", cartId.substring(2)),
        version,
        at,
        "USD",
        List.of(
            new CartLine(
                "SKU-1",
                (int) version,
                2999,
                BASE_MILLIS,
                at,
                (int) version,
                at + 900_000,
                new JsonObject().put("size", "M"))));
  }

  /** Publishes events in order, with acks=all, and waits until Kafka has them all. */
  void publish(List<CartEvent> events) {
    events.forEach(e -> publishRaw(e.cartId(), e.toJson().encode(), false));
    clients.producer().flush();
  }

  void publishRaw(String key, String value, boolean flush) {
    clients.producer().send(new ProducerRecord<>(Topics.CART_EVENTS, key, value));
    if (flush) {
      clients.producer().flush();
    }
  }

  /** The stored version of a cart, 0 when DynamoDB has none. */
  long storedVersion(String cartId) {
    return stored(cartId).map(CartEvent::version).orElse(0L);
  }

  Optional<CartEvent> stored(String cartId) {
    return join(carts.read(cartId));
  }

  /** The events of cart.events that the group has not committed, over every partition. */
  long groupLag() {
    return join(clients.cartProgress().fresh()).lagEvents();
  }

  /**
   * Commits this group at the end of cart.events and catalog.events, as a group that has written
   * everything before now, so that its first poll holds only what the test publishes next (the
   * shared topics carry every other test's events).
   */
  void skipHistory() {
    Map<TopicPartition, OffsetSpec> latest =
        Stream.of(Topics.CART_EVENTS, Topics.CATALOG_EVENTS)
            .flatMap(
                topic ->
                    IntStream.range(0, TestServices.TOPICS.get(topic))
                        .mapToObj(p -> new TopicPartition(topic, p)))
            .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
    Map<TopicPartition, OffsetAndMetadata> ends =
        join(
                Future.fromCompletionStage(
                    clients.kafkaAdmin().listOffsets(latest).all().toCompletionStage()))
            .entrySet()
            .stream()
            .collect(
                Collectors.toMap(
                    Map.Entry::getKey, e -> new OffsetAndMetadata(e.getValue().offset())));
    join(
        Future.fromCompletionStage(
            clients
                .kafkaAdmin()
                .alterConsumerGroupOffsets(config.worker().groupId(), ends)
                .all()
                .toCompletionStage()));
  }

  Map<TopicPartition, OffsetAndMetadata> committed() {
    return join(
        Future.fromCompletionStage(
            clients
                .kafkaAdmin()
                .listConsumerGroupOffsets(config.worker().groupId())
                .partitionsToOffsetAndMetadata()
                .toCompletionStage()));
  }

  ConsumerGroupDescription group() {
    String group = config.worker().groupId();
    return join(Future.fromCompletionStage(
            clients.kafkaAdmin().describeConsumerGroups(List.of(group)).all().toCompletionStage()))
        .get(group);
  }

  double counter(String name, String... tags) {
    Counter counter = clients.registry().find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  /** A per-consumer gauge, summed over this process's consumers. */
  double gauge(String name) {
    return clients.registry().find(name).gauges().stream().mapToDouble(Gauge::value).sum();
  }

  static <T> T join(Future<T> future) {
    try {
      return future.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no answer within " + TIMEOUT, e);
    }
  }

  @Override
  public void close() {
    join(vertx.close());
    clients.producer().close(Duration.ofSeconds(5));
    clients.kafkaAdmin().close(Duration.ofSeconds(5));
  }
}
