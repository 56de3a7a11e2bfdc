package com.cartgateway.worker;

import com.cartgateway.config.AppConfig;
import com.cartgateway.durability.GroupProgress;
import com.cartgateway.trace.SpanExport;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.consumer.KafkaReadStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/**
 * The worker role's object graph: for each {@link WriteBehindVerticle}, one consumer of the worker
 * group with its {@link WriteBehindLoop}, over the process's shared clients.
 */
public final class WorkerRole {
  private static final int KAFKA_API_TIMEOUT_MILLIS = 10_000;

  private final AppConfig config;
  private final MeterRegistry registry;
  private final GroupProgress progress;
  private final DynamoDbAsyncClient dynamo;
  private final Optional<SpanExport> spans;

  /**
   * @param config the configuration: Kafka, the tables and the worker's settings
   * @param registry the process's metrics registry
   * @param progress the process's reader of the group's progress on {@code cart.events}
   * @param dynamo the process's DynamoDB client
   * @param spans the process's export of spans over OTLP, when configured
   */
  public WorkerRole(
      AppConfig config,
      MeterRegistry registry,
      GroupProgress progress,
      DynamoDbAsyncClient dynamo,
      Optional<SpanExport> spans) {
    this.config = config;
    this.registry = registry;
    this.progress = progress;
    this.dynamo = dynamo;
    this.spans = spans;
  }

  /** A new verticle of this role, for one deployment instance. */
  public WriteBehindVerticle verticle() {
    return new WriteBehindVerticle(this::loop);
  }

  /** One consumer's loop and everything it uses, built on the verticle's context, not started. */
  WriteBehindLoop loop(Vertx vertx) {
    AppConfig.Worker worker = config.worker();
    String consumerId = worker.groupId() + "-" + UUID.randomUUID().toString().substring(0, 8);
    WriteBehindMetrics metrics = new WriteBehindMetrics(registry);
    WriteBehindMetrics.ConsumerGauges gauges =
        new WriteBehindMetrics.ConsumerGauges(registry, consumerId);
    KafkaReadStream<String, String> consumer =
        KafkaReadStream.create(vertx, consumerSettings(consumerId), String.class, String.class);
    return new WriteBehindLoop(
        vertx,
        consumer,
        new ItemBatchWriter(vertx, dynamo, config.dynamoDb().cartsTable(), worker, registry),
        new RecordDecoder(config.dynamoDb(), metrics),
        new OffsetCommits(consumer, metrics),
        new PausedPolls(vertx, consumer, gauges),
        gauges,
        // The process's shared reader: the health check and the HTTP role use the same cache.
        progress,
        spans,
        worker);
  }

  private Map<String, Object> consumerSettings(String consumerId) {
    AppConfig.Worker worker = config.worker();
    Map<String, Object> settings = new HashMap<>();
    settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrap());
    settings.put(ConsumerConfig.GROUP_ID_CONFIG, worker.groupId());
    settings.put(ConsumerConfig.CLIENT_ID_CONFIG, consumerId);
    // Offsets move only once DynamoDB has the events they cover.
    settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A group without offsets starts at the oldest event Kafka keeps: none is skipped.
    settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, worker.maxPollRecords());
    // A rebalance stops only the partitions that change owner; the others keep flowing.
    settings.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    // Bounds a commit while Kafka is unreachable (the default is a minute).
    settings.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, KAFKA_API_TIMEOUT_MILLIS);
    return settings;
  }
}
