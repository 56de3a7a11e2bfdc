package com.cartgateway.worker;

import com.cartgateway.config.AppConfig;
import com.cartgateway.durability.GroupProgress;
import com.cartgateway.dynamo.DynamoCarts;
import com.cartgateway.dynamo.DynamoCatalog;
import com.cartgateway.dynamo.VersionedItem;
import com.cartgateway.events.CartEvent;
import com.cartgateway.events.SkuState;
import com.cartgateway.events.Topics;
import com.cartgateway.trace.SpanExport;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaReadStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.ToDoubleFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/**
 * The worker role: drains {@code cart.events} into the carts table and {@code catalog.events} into
 * the catalog table, so that every acknowledged cart change, price, stock level and sale becomes
 * durable in DynamoDB (invariant 1).
 *
 * <p>One loop, in this order: poll a batch; pause the assigned partitions; store the batch with
 * {@link ItemBatchWriter} (the newest version of each cart, conditionally, retried until DynamoDB
 * takes it); commit the offsets the batch covers; resume; poll again. Offsets are committed by hand
 * and only after the write, so a crash anywhere replays events, which the version condition turns
 * into no-ops. While a write takes long (DynamoDB throttling or down), the loop still calls poll
 * every second on the paused partitions, so that the consumer stays in its group instead of being
 * evicted after {@code max.poll.interval.ms}; records such a poll still returns (partitions
 * assigned meanwhile) are held for the next batch, and their partitions paused too.
 *
 * <p>Stopping lets the batch in flight finish and commit, for up to the shutdown grace, then closes
 * the consumer, which leaves the group so that its partitions move at once.
 */
public final class WriteBehindVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(WriteBehindVerticle.class.getName());
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(250);
  private static final Duration KEEP_ALIVE_POLL_TIMEOUT = Duration.ofMillis(100);
  private static final long KEEP_ALIVE_MILLIS = 1_000;
  private static final long LAG_REFRESH_MILLIS = 1_000;
  private static final long RETRY_MILLIS = 1_000;
  private static final int KAFKA_API_TIMEOUT_MILLIS = 10_000;

  private final AppConfig config;
  private final MeterRegistry registry;
  private final GroupProgress progress;
  private final DynamoDbAsyncClient dynamo;
  private final Optional<SpanExport> spans;
  private final String consumerId;
  private final Set<TopicPartition> assigned = new HashSet<>();
  private final List<ConsumerRecord<String, String>> carried = new ArrayList<>();

  /**
   * Offsets of written batches that Kafka refused to commit during a rebalance, for partitions this
   * consumer may keep (cooperative rebalancing leaves most in place): committed at the next chance,
   * or a quiet partition would show a lag forever.
   */
  private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();

  private final Promise<Void> drained = Promise.promise();
  private final List<Meter> gauges = new ArrayList<>();
  private KafkaReadStream<String, String> consumer;
  private ItemBatchWriter writer;
  private WriteBehindMetrics metrics;
  private long lagTimer;
  private long keepAliveTimer = -1;
  private Future<Void> keepAlive;
  private boolean refreshingLag;
  private boolean stopping;
  private boolean closed;
  // Read by the gauges on the scrape thread.
  private volatile long inFlightEvents;
  private volatile int pausedPartitions;
  private volatile long lagEvents;
  private volatile long oldestPendingAt;
  private volatile long newestWrittenAt;
  private volatile boolean idle = true;

  /**
   * @param config the configuration: Kafka, the carts table and the worker's settings
   * @param registry the process's metrics registry
   * @param progress the process's reader of the group's progress on {@code cart.events}
   * @param dynamo the process's DynamoDB client
   * @param spans the process's export of spans over OTLP, when configured
   */
  public WriteBehindVerticle(
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
    this.consumerId =
        config.worker().groupId() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Override
  public Future<?> start() {
    metrics = new WriteBehindMetrics(registry);
    writer =
        new ItemBatchWriter(
            vertx, dynamo, config.dynamoDb().cartsTable(), config.worker(), registry);
    consumer = KafkaReadStream.create(vertx, consumerSettings(), String.class, String.class);
    consumer.partitionsAssignedHandler(assigned::addAll);
    consumer.partitionsRevokedHandler(
        revoked -> {
          assigned.removeAll(revoked);
          // The next owner writes those events again and commits them itself.
          uncommitted.keySet().removeAll(revoked);
        });
    registerGauges();
    lagTimer = vertx.setPeriodic(LAG_REFRESH_MILLIS, id -> refreshLag());
    return consumer
        .subscribe(Set.of(Topics.CART_EVENTS, Topics.CATALOG_EVENTS))
        .onSuccess(subscribed -> next());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(lagTimer);
    Duration grace = config.worker().shutdownGrace();
    Promise<Void> graceOver = Promise.promise();
    long graceTimer = vertx.setTimer(Math.max(1, grace.toMillis()), id -> graceOver.tryComplete());
    return Future.any(drained.future(), graceOver.future())
        .compose(
            first -> {
              vertx.cancelTimer(graceTimer);
              if (!drained.future().isComplete()) {
                LOG.warning(
                    "stopping with a batch still unwritten after "
                        + grace.toMillis()
                        + " ms; its events stay uncommitted and the next owner writes them");
                writer.close();
              }
              return stopKeepAlive();
            })
        .compose(
            ready -> {
              closed = true;
              return consumer.close();
            })
        .eventually(
            () -> {
              gauges.forEach(registry::remove);
              return Future.succeededFuture();
            });
  }

  private Map<String, Object> consumerSettings() {
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

  /** Polls the next batch, unless stopping. */
  private void next() {
    if (stopping) {
      drained.tryComplete();
      return;
    }
    consumer
        .poll(POLL_TIMEOUT)
        .onComplete(
            polled -> {
              if (stopping) {
                // Not started: these records stay uncommitted and come back to the next owner.
                drained.tryComplete();
              } else if (polled.failed()) {
                LOG.log(Level.WARNING, "poll failed; retrying", polled.cause());
                vertx.setTimer(RETRY_MILLIS, id -> next());
              } else if (polled.result().isEmpty()) {
                idle = true;
                if (uncommitted.isEmpty()) {
                  next();
                } else {
                  commit(Map.of()).onComplete(committed -> next());
                }
              } else {
                List<ConsumerRecord<String, String>> batch = new ArrayList<>();
                polled.result().forEach(batch::add);
                process(batch);
              }
            });
  }

  /** Stores one batch while its partitions are paused, then commits it and moves on. */
  private void process(List<ConsumerRecord<String, String>> batch) {
    Instant started = Instant.now();
    idle = false;
    inFlightEvents = batch.size() + carried.size();
    List<VersionedItem> items = decode(batch);
    // Record timestamps (when Kafka took the event), not the carts' updatedAt: a republished
    // event keeps its old updatedAt, and a record that is not a cart event has none.
    oldestPendingAt =
        batch.stream()
            .mapToLong(ConsumerRecord::timestamp)
            .filter(at -> at > 0)
            .min()
            .orElse(System.currentTimeMillis());
    pauseAssigned()
        .compose(
            paused -> {
              keepAliveTimer = vertx.setPeriodic(KEEP_ALIVE_MILLIS, id -> keepAlive());
              return writer.writeItems(items);
            })
        .eventually(this::stopKeepAlive)
        .compose(
            written -> {
              batch.stream()
                  .mapToLong(ConsumerRecord::timestamp)
                  .filter(at -> at > 0)
                  .max()
                  .ifPresent(newest -> newestWrittenAt = Math.max(newestWrittenAt, newest));
              oldestPendingAt = 0;
              RecordTraces.written(batch);
              spans.ifPresent(
                  export ->
                      RecordTraces.export(
                          export.tracer(), batch, started, config.worker().groupId()));
              return commit(offsets(batch));
            })
        .compose(committed -> resumeAssigned())
        .onComplete(
            done -> {
              if (done.failed() && !stopping) {
                // Not committed: store the same batch again rather than skip past it.
                RecordTraces.withTraceIds(
                    batch,
                    () -> LOG.log(Level.WARNING, "batch failed; trying it again", done.cause()));
                vertx.setTimer(RETRY_MILLIS, id -> process(batch));
              } else if (!carried.isEmpty() && !stopping) {
                List<ConsumerRecord<String, String>> held = new ArrayList<>(carried);
                carried.clear();
                process(held);
              } else {
                carried.clear();
                inFlightEvents = 0;
                next();
              }
            });
  }

  /**
   * The items a batch stores: cart events into the carts table, SKU states into the catalog table.
   * A record that is neither is counted, logged and skipped.
   */
  private List<VersionedItem> decode(List<ConsumerRecord<String, String>> batch) {
    List<VersionedItem> items = new ArrayList<>(batch.size());
    for (ConsumerRecord<String, String> record : batch) {
      try {
        JsonObject value = new JsonObject(record.value());
        items.add(
            Topics.CATALOG_EVENTS.equals(record.topic())
                ? DynamoCatalog.versioned(
                    config.dynamoDb().catalogTable(), SkuState.fromJson(value))
                : DynamoCarts.versioned(config.dynamoDb().cartsTable(), CartEvent.fromJson(value)));
      } catch (RuntimeException e) {
        // One bad record must not hold its partition back forever; it cannot be stored anyway.
        metrics.invalid.increment();
        LOG.log(
            Level.SEVERE,
            "skipping a record that is not a cart event or a SKU state: "
                + record.topic()
                + "-"
                + record.partition()
                + "@"
                + record.offset()
                + ": "
                + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
      }
    }
    return items;
  }

  /** For each partition of the batch, the offset after its last record. */
  private static Map<TopicPartition, OffsetAndMetadata> offsets(
      List<ConsumerRecord<String, String>> batch) {
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    for (ConsumerRecord<String, String> record : batch) {
      next.merge(
          new TopicPartition(record.topic(), record.partition()),
          new OffsetAndMetadata(record.offset() + 1),
          (a, b) -> a.offset() >= b.offset() ? a : b);
    }
    return next;
  }

  /**
   * Commits the offsets of partitions this consumer still owns, with any a rebalance refused
   * before. A refused commit is logged and kept for the next chance; a partition that moved is left
   * to its next owner, which writes those events again, harmlessly.
   */
  private Future<Void> commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    if (closed) {
      return Future.succeededFuture();
    }
    offsets.forEach(
        (partition, offset) ->
            uncommitted.merge(partition, offset, (a, b) -> a.offset() >= b.offset() ? a : b));
    return consumer
        .assignment()
        .compose(
            owned -> {
              uncommitted.keySet().retainAll(owned);
              Map<TopicPartition, OffsetAndMetadata> mine = Map.copyOf(uncommitted);
              return mine.isEmpty()
                  ? Future.<Void>succeededFuture()
                  : consumer
                      .commit(mine)
                      .onSuccess(
                          committed ->
                              mine.forEach(
                                  (partition, offset) -> uncommitted.remove(partition, offset)))
                      .<Void>mapEmpty();
            })
        .recover(
            e -> {
              metrics.commitFailures.increment();
              LOG.warning("offset commit refused; it is tried again after the next poll: " + e);
              return Future.succeededFuture();
            });
  }

  /**
   * Pauses every assigned partition. A failure only costs backpressure, never an event, so it is
   * logged and the batch goes on.
   */
  private Future<Void> pauseAssigned() {
    if (closed) {
      return Future.succeededFuture();
    }
    return consumer
        .assignment()
        .compose(consumer::pause)
        .compose(paused -> consumer.paused())
        .<Void>map(
            paused -> {
              pausedPartitions = paused.size();
              return null;
            })
        .recover(
            e -> {
              LOG.log(Level.WARNING, "could not pause the assigned partitions", e);
              return Future.succeededFuture();
            });
  }

  private Future<Void> resumeAssigned() {
    if (closed) {
      return Future.succeededFuture();
    }
    return consumer
        .assignment()
        .compose(consumer::resume)
        .compose(resumed -> consumer.paused())
        .map(
            paused -> {
              pausedPartitions = paused.size();
              return null;
            });
  }

  /**
   * While a write is in flight: a poll on the paused partitions keeps the consumer in its group.
   * Whatever it returns (partitions assigned meanwhile) is held for the next batch.
   */
  private void keepAlive() {
    if (keepAlive != null || closed) {
      return;
    }
    Future<Void> polled =
        consumer
            .poll(KEEP_ALIVE_POLL_TIMEOUT)
            .compose(
                records -> {
                  if (records.isEmpty()) {
                    return Future.<Void>succeededFuture();
                  }
                  records.forEach(carried::add);
                  inFlightEvents += records.count();
                  return pauseAssigned();
                })
            .recover(
                e -> {
                  LOG.log(Level.FINE, "keep-alive poll failed", e);
                  return Future.succeededFuture();
                });
    keepAlive = polled;
    polled.onComplete(
        done -> {
          if (keepAlive == polled) {
            keepAlive = null;
          }
        });
  }

  /** Stops the keep-alive polls; completes once none is running. */
  private Future<Void> stopKeepAlive() {
    if (keepAliveTimer != -1) {
      vertx.cancelTimer(keepAliveTimer);
      keepAliveTimer = -1;
    }
    return keepAlive == null ? Future.succeededFuture() : keepAlive;
  }

  private void refreshLag() {
    if (refreshingLag) {
      return;
    }
    refreshingLag = true;
    Set<TopicPartition> mine = Set.copyOf(assigned);
    progress
        .snapshot()
        .onSuccess(
            snapshot ->
                lagEvents =
                    mine.stream()
                        .filter(p -> snapshot.partitions().containsKey(p.partition()))
                        .mapToLong(p -> snapshot.lagEvents(p.partition()))
                        .sum())
        .onFailure(e -> LOG.log(Level.FINE, "write-behind lag unknown for now", e))
        .onComplete(done -> refreshingLag = false);
  }

  /**
   * Seconds DynamoDB is behind, from record timestamps: now minus the timestamp of the oldest
   * record not yet written while a batch is in flight, of the newest record written between
   * batches, and 0 once a poll finds nothing new. Events still in Kafka that this consumer has not
   * polled yet are not seen here; {@code cart_writebehind_lag_events} counts them.
   */
  private double lagSeconds() {
    long since = oldestPendingAt > 0 ? oldestPendingAt : idle ? 0 : newestWrittenAt;
    return since == 0 ? 0 : Math.max(0, System.currentTimeMillis() - since) / 1000.0;
  }

  private void registerGauges() {
    gauge(
        "cart_writebehind_lag_events",
        "Events of this consumer's partitions not yet committed (so not yet in DynamoDB)",
        v -> v.lagEvents);
    gauge(
        "cart_writebehind_lag_seconds",
        "Age (record timestamp) of the oldest polled event not yet in DynamoDB (0 when caught up)",
        WriteBehindVerticle::lagSeconds);
    gauge(
        "cart_writebehind_inflight_events",
        "Records this consumer holds in memory: the batch being written and any held for the next",
        v -> v.inFlightEvents);
    gauge(
        "cart_writebehind_paused_partitions",
        "Partitions paused while a batch is written",
        v -> v.pausedPartitions);
  }

  private void gauge(String name, String description, ToDoubleFunction<WriteBehindVerticle> value) {
    gauges.add(
        Gauge.builder(name, this, value)
            .description(description)
            .tags(Tags.of("consumer", consumerId))
            .strongReference(true)
            .register(registry));
  }
}
