package com.cartgateway.worker;

import com.cartgateway.config.AppConfig;
import com.cartgateway.durability.GroupProgress;
import com.cartgateway.dynamo.VersionedItem;
import com.cartgateway.events.Topics;
import com.cartgateway.trace.SpanExport;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.consumer.KafkaReadStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The write-behind loop of one consumer: drains {@code cart.events} into the carts table and {@code
 * catalog.events} into the catalog table, so that every acknowledged cart change, price, stock
 * level and sale becomes durable in DynamoDB (invariant 1).
 *
 * <p>In this order: poll a batch; pause the assigned partitions ({@link PausedPolls}, which keeps
 * the consumer in its group while a write takes long); store the batch with {@link ItemBatchWriter}
 * (the newest version of each cart, conditionally, retried until DynamoDB takes it); commit the
 * offsets the batch covers ({@link OffsetCommits}); resume; poll again. Offsets are committed only
 * after the write, so a crash anywhere replays events, which the version condition turns into
 * no-ops.
 *
 * <p>Stopping lets the batch in flight finish and commit, for up to the shutdown grace, then closes
 * the consumer, which leaves the group so that its partitions move at once.
 */
public final class WriteBehindLoop {
  private static final Logger LOG = Logger.getLogger(WriteBehindLoop.class.getName());
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(250);
  private static final long LAG_REFRESH_MILLIS = 1_000;
  private static final long RETRY_MILLIS = 1_000;

  private final Vertx vertx;
  private final KafkaReadStream<String, String> consumer;
  private final ItemBatchWriter writer;
  private final RecordDecoder decoder;
  private final OffsetCommits commits;
  private final PausedPolls paused;
  private final WriteBehindMetrics.ConsumerGauges gauges;
  private final GroupProgress progress;
  private final Optional<SpanExport> spans;
  private final AppConfig.Worker settings;
  private final Set<TopicPartition> assigned = new HashSet<>();
  private final Promise<Void> drained = Promise.promise();
  private long lagTimer;
  private boolean refreshingLag;
  private boolean stopping;
  private boolean closed;

  /**
   * @param vertx the Vert.x instance of the verticle that runs it
   * @param consumer the consumer, not subscribed yet
   * @param writer what stores a batch in DynamoDB
   * @param decoder what turns records into items
   * @param commits what commits the offsets of written batches
   * @param paused what pauses the partitions while a batch is written
   * @param gauges this consumer's gauges
   * @param progress the process's reader of the group's progress, for the lag gauge
   * @param spans the process's export of spans over OTLP, when configured
   * @param settings the worker's settings
   */
  WriteBehindLoop(
      Vertx vertx,
      KafkaReadStream<String, String> consumer,
      ItemBatchWriter writer,
      RecordDecoder decoder,
      OffsetCommits commits,
      PausedPolls paused,
      WriteBehindMetrics.ConsumerGauges gauges,
      GroupProgress progress,
      Optional<SpanExport> spans,
      AppConfig.Worker settings) {
    this.vertx = vertx;
    this.consumer = consumer;
    this.writer = writer;
    this.decoder = decoder;
    this.commits = commits;
    this.paused = paused;
    this.gauges = gauges;
    this.progress = progress;
    this.spans = spans;
    this.settings = settings;
  }

  /** Joins the group and starts polling. */
  public Future<Void> start() {
    consumer.partitionsAssignedHandler(assigned::addAll);
    consumer.partitionsRevokedHandler(
        revoked -> {
          assigned.removeAll(revoked);
          commits.revoked(revoked);
        });
    lagTimer = vertx.setPeriodic(LAG_REFRESH_MILLIS, id -> refreshLag());
    return consumer
        .subscribe(Set.of(Topics.CART_EVENTS, Topics.CATALOG_EVENTS))
        .onSuccess(subscribed -> next());
  }

  /** Lets the batch in flight finish for up to the shutdown grace, then leaves the group. */
  public Future<Void> stop() {
    stopping = true;
    vertx.cancelTimer(lagTimer);
    Duration grace = settings.shutdownGrace();
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
              return paused.stopKeepAlive();
            })
        .compose(
            ready -> {
              closed = true;
              paused.close();
              return consumer.close();
            })
        .eventually(
            () -> {
              gauges.remove();
              return Future.succeededFuture();
            });
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
                gauges.idle = true;
                if (commits.pending()) {
                  commit(List.of()).onComplete(committed -> next());
                } else {
                  next();
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
    gauges.idle = false;
    gauges.inFlightEvents = batch.size() + paused.carried();
    List<VersionedItem> items = decoder.decode(batch);
    // Record timestamps (when Kafka took the event), not the carts' updatedAt: a republished
    // event keeps its old updatedAt, and a record that is not a cart event has none.
    gauges.oldestPendingAt =
        batch.stream()
            .mapToLong(ConsumerRecord::timestamp)
            .filter(at -> at > 0)
            .min()
            .orElse(System.currentTimeMillis());
    paused
        .pause()
        .compose(ok -> writer.writeItems(items))
        .eventually(paused::stopKeepAlive)
        .compose(
            written -> {
              batch.stream()
                  .mapToLong(ConsumerRecord::timestamp)
                  .filter(at -> at > 0)
                  .max()
                  .ifPresent(
                      newest -> gauges.newestWrittenAt = Math.max(gauges.newestWrittenAt, newest));
              gauges.oldestPendingAt = 0;
              RecordTraces.written(batch);
              spans.ifPresent(
                  export ->
                      RecordTraces.export(export.tracer(), batch, started, settings.groupId()));
              return commit(batch);
            })
        .compose(committed -> paused.resume())
        .onComplete(
            done -> {
              if (done.failed() && !stopping) {
                // Not committed: store the same batch again rather than skip past it.
                RecordTraces.withTraceIds(
                    batch,
                    () -> LOG.log(Level.WARNING, "batch failed; trying it again", done.cause()));
                vertx.setTimer(RETRY_MILLIS, id -> process(batch));
              } else if (paused.carried() > 0 && !stopping) {
                process(paused.takeCarried());
              } else {
                paused.takeCarried();
                gauges.inFlightEvents = 0;
                next();
              }
            });
  }

  private Future<Void> commit(List<ConsumerRecord<String, String>> written) {
    return closed ? Future.succeededFuture() : commits.commit(written);
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
                gauges.lagEvents =
                    mine.stream()
                        .filter(p -> snapshot.partitions().containsKey(p.partition()))
                        .mapToLong(p -> snapshot.lagEvents(p.partition()))
                        .sum())
        .onFailure(e -> LOG.log(Level.FINE, "write-behind lag unknown for now", e))
        .onComplete(done -> refreshingLag = false);
  }
}
