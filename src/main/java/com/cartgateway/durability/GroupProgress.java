package com.cartgateway.durability;

import com.cartgateway.events.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * How much of a topic ({@code cart.events}, {@code catalog.events}) the worker group has persisted:
 * for each partition, the group's committed offset against the partition's end offset. The worker
 * commits an offset only after DynamoDB holds every event before it, so {@code committed >= end} on
 * a key's partition means every event of that key acknowledged so far is in DynamoDB. This is the
 * one reader of the group's offsets: the rebuilders wait on it ({@link CatchUp}), the health check
 * and the worker report it.
 *
 * <p>Usable from any role and from any thread: one instance per topic and process ({@link
 * #forProcess}), shared by the HTTP verticles, the health check and the worker. It never blocks:
 * the Kafka {@link Admin} calls return {@code KafkaFuture}s, which are turned into completion
 * stages and handed back as Vert.x futures completing on the caller's context. At most one read is
 * in flight at a time, whatever the number of callers.
 *
 * <p><b>Two kinds of answer.</b> {@link #snapshot()} and {@link #caughtUp(String)} answer from a
 * snapshot whose read started at most {@code maxAge} ago (250 ms by default), so a request-path
 * caller usually costs nothing; such an answer may predate the question, so an event acknowledged
 * in between may be missing from it. They suit reporting (health, metrics), never a decision that
 * needs every event acknowledged before the question to be persisted. {@link #fresh()} and {@link
 * #caughtUpFresh(String)} answer from a read that started after the call: a "caught up" from them
 * means every event acknowledged before the call is in DynamoDB (invariant 2 of the design, for
 * rebuilding a cart that Redis lost). Concurrent fresh callers share one read, the next one to
 * start, so a burst of Redis misses costs one or two Admin round trips, not one each.
 *
 * <p>Why an end offset read after the call covers every acknowledged event: the producer uses
 * {@code acks=all}, and the broker acknowledges such a record only once the high watermark has
 * passed it; {@code listOffsets(latest)} answers the high watermark.
 *
 * <p>The age of the oldest unpersisted event is not known from offsets alone (Kafka's Admin API
 * cannot read a record's timestamp); each worker measures it from the record timestamps of the
 * events it holds and exports it as {@code cart_writebehind_lag_seconds}.
 *
 * <p>Longer than most classes here: the cache shared across threads, its one read in flight and the
 * snapshot records it answers with belong together.
 *
 * <p>The partition of a key is computed with the current partition count of the topic (read with
 * every snapshot). Adding partitions to the topic moves keys between partitions, so it must not be
 * done while the gateway runs.
 */
public final class GroupProgress implements Shareable {
  /** How old a snapshot may be for the cached answers. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofMillis(250);

  /** The per-partition gauge of the group's lag, for the topics that have one. */
  private static final Map<String, String> GROUP_LAG =
      Map.of(Topics.CART_EVENTS, "cart_writebehind_group_lag_events");

  private final Admin admin;
  private final String groupId;
  private final String topic;
  private final long maxAgeNanos;
  private final MeterRegistry registry;
  private final Set<Integer> gauged = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  // Guarded by lock.
  private Snapshot latest;
  private CompletableFuture<Snapshot> reading;
  private CompletableFuture<Snapshot> nextRead;

  /**
   * @param admin the process's Kafka admin client (its default API timeout bounds every read)
   * @param groupId the worker's consumer group
   * @param topic the topic whose progress this reads
   * @param maxAge how old a snapshot may be for {@link #snapshot()} and {@link #caughtUp(String)}
   * @param registry where the per-partition gauge of the group's lag goes ({@code
   *     cart_writebehind_group_lag_events} for {@code cart.events}; none for other topics), or null
   *     for none
   */
  public GroupProgress(
      Admin admin, String groupId, String topic, Duration maxAge, MeterRegistry registry) {
    this.admin = admin;
    this.groupId = groupId;
    this.topic = topic;
    this.maxAgeNanos = maxAge.toNanos();
    this.registry = registry;
  }

  /**
   * The reader of the worker group's progress on one topic, as a process builds it once and passes
   * to its verticles, so that they share its cache and its single read.
   *
   * @param registry where the topic's lag gauge goes (only {@code cart.events} has one)
   */
  public static GroupProgress ofWorkers(
      Admin admin, String groupId, String topic, MeterRegistry registry) {
    return new GroupProgress(admin, groupId, topic, DEFAULT_MAX_AGE, registry);
  }

  /**
   * The partition of a topic that holds a key's events: the Kafka producer's default choice for a
   * keyed record (murmur2 of the key).
   *
   * @param key the record key (a cart id, a SKU)
   * @param partitionCount the partitions of the topic
   */
  public static int partitionOf(String key, int partitionCount) {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    return Utils.toPositive(Utils.murmur2(bytes)) % partitionCount;
  }

  /** The consumer group this follows. */
  public String groupId() {
    return groupId;
  }

  /** The topic this reads. */
  public String topic() {
    return topic;
  }

  /** A snapshot whose read started at most {@code maxAge} ago (or the read in flight). */
  public Future<Snapshot> snapshot() {
    return onCaller(current());
  }

  /** A snapshot whose read started after this call. */
  public Future<Snapshot> fresh() {
    return onCaller(next());
  }

  /** The last snapshot read, without any I/O; empty before the first read ends. */
  public Optional<Snapshot> latest() {
    synchronized (lock) {
      return Optional.ofNullable(latest);
    }
  }

  /**
   * Whether every event of the key's partition was persisted when a recent snapshot was read
   * (possibly before this call: for reporting, not for invariant 2).
   */
  public Future<Boolean> caughtUp(String key) {
    return snapshot().map(s -> s.caughtUp(key));
  }

  /**
   * Whether every event of the key's partition acknowledged before this call is persisted: the
   * answer of a read that started after the call. Fails when Kafka does not answer, which a caller
   * must treat as "not caught up".
   */
  public Future<Boolean> caughtUpFresh(String key) {
    return fresh().map(s -> s.caughtUp(key));
  }

  /** The events of a partition not yet persisted, from a recent snapshot. */
  public Future<Long> lagEvents(int partition) {
    return snapshot().map(s -> s.lagEvents(partition));
  }

  private CompletableFuture<Snapshot> current() {
    synchronized (lock) {
      if (latest != null && System.nanoTime() - latest.readStartedNanos() < maxAgeNanos) {
        return CompletableFuture.completedFuture(latest);
      }
      return reading != null ? reading : startRead();
    }
  }

  /**
   * A read that starts now, or, while one is in flight (it started before this call), the one that
   * starts as soon as it ends, shared by every caller that arrives meanwhile.
   */
  private CompletableFuture<Snapshot> next() {
    synchronized (lock) {
      if (reading == null) {
        return startRead();
      }
      if (nextRead == null) {
        nextRead = new CompletableFuture<>();
      }
      return nextRead;
    }
  }

  /** Starts a read; call with the lock held. */
  private CompletableFuture<Snapshot> startRead() {
    CompletableFuture<Snapshot> read;
    try {
      read = read().toCompletableFuture();
    } catch (RuntimeException e) {
      // An admin client already closed throws instead of failing its future.
      read = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Snapshot> started = read;
    reading = started;
    started.whenComplete((snapshot, failure) -> readEnded(started, snapshot));
    return started;
  }

  private void readEnded(CompletableFuture<Snapshot> ended, Snapshot snapshot) {
    CompletableFuture<Snapshot> waiting;
    CompletableFuture<Snapshot> again = null;
    synchronized (lock) {
      if (snapshot != null
          && (latest == null || snapshot.readStartedNanos() - latest.readStartedNanos() > 0)) {
        latest = snapshot;
      }
      if (reading == ended) {
        reading = null;
      }
      waiting = nextRead;
      nextRead = null;
      if (waiting != null) {
        again = startRead();
      }
    }
    if (snapshot != null) {
      registerGauges(snapshot);
    }
    if (waiting != null) {
      again.whenComplete(
          (next, failure) -> {
            if (failure != null) {
              waiting.completeExceptionally(failure);
            } else {
              waiting.complete(next);
            }
          });
    }
  }

  /**
   * One read: the topic's partitions, then their end offsets, and the group's committed offsets
   * alongside. Every call starts here, after the moment it was made.
   */
  private CompletionStage<Snapshot> read() {
    long started = System.nanoTime();
    CompletionStage<Map<TopicPartition, OffsetAndMetadata>> committed =
        admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().toCompletionStage();
    CompletionStage<Map<TopicPartition, ListOffsetsResultInfo>> ends =
        admin
            .describeTopics(List.of(topic))
            .allTopicNames()
            .toCompletionStage()
            .thenCompose(
                topics -> {
                  Map<TopicPartition, OffsetSpec> latestOf =
                      topics.get(topic).partitions().stream()
                          .map(p -> new TopicPartition(topic, p.partition()))
                          .collect(Collectors.toMap(Function.identity(), p -> OffsetSpec.latest()));
                  return admin.listOffsets(latestOf).all().toCompletionStage();
                });
    return ends.thenCombine(
        committed,
        (end, done) -> {
          SortedMap<Integer, PartitionProgress> partitions = new TreeMap<>();
          end.forEach(
              (partition, info) -> {
                OffsetAndMetadata commit = done.get(partition);
                partitions.put(
                    partition.partition(),
                    new PartitionProgress(
                        partition.partition(),
                        commit == null ? -1 : commit.offset(),
                        info.offset()));
              });
          return new Snapshot(groupId, Instant.now(), started, partitions);
        });
  }

  /** Completes on the caller's Vert.x context, or on the Admin's thread off any context. */
  private static <T> Future<T> onCaller(CompletionStage<T> stage) {
    Context context = Vertx.currentContext();
    return context == null
        ? Future.fromCompletionStage(stage)
        : Future.fromCompletionStage(stage, context);
  }

  /**
   * One gauge per partition, reading the last snapshot; a scrape that finds it stale starts a read
   * (without waiting for it), so the value is at most one scrape old.
   */
  private void registerGauges(Snapshot snapshot) {
    String gauge = GROUP_LAG.get(topic);
    if (registry == null || gauge == null) {
      return;
    }
    for (int partition : snapshot.partitions().keySet()) {
      if (gauged.add(partition)) {
        Gauge.builder(gauge, this, p -> p.gaugeLag(partition))
            .description(
                "Events of a "
                    + topic
                    + " partition the worker group has not committed (so not yet"
                    + " in DynamoDB), as last read by this process")
            .tags(Tags.of("partition", Integer.toString(partition)))
            .strongReference(true)
            .register(registry);
      }
    }
  }

  private double gaugeLag(int partition) {
    current();
    Snapshot last = latest().orElse(null);
    return last == null || !last.partitions().containsKey(partition)
        ? Double.NaN
        : last.lagEvents(partition);
  }

  /**
   * One partition's progress.
   *
   * @param partition the partition of the topic
   * @param committed the group's committed offset (the next event to persist), -1 when the group
   *     has committed nothing there
   * @param end the end offset (high watermark): one past the last acknowledged event
   */
  public record PartitionProgress(int partition, long committed, long end) {
    /** Events acknowledged but not yet persisted; a group without a commit owes every event. */
    public long lagEvents() {
      return Math.max(0, end - Math.max(0, committed));
    }

    /** Whether every acknowledged event of the partition is persisted. */
    public boolean caughtUp() {
      return Math.max(0, committed) >= end;
    }
  }

  /**
   * The progress of every partition of a topic as read at one moment.
   *
   * @param groupId the worker group
   * @param asOf when the read ended
   * @param readStartedNanos {@link System#nanoTime()} when the read started: every event
   *     acknowledged before then is below the end offsets of this snapshot
   * @param partitions the progress of each partition, by partition number
   */
  public record Snapshot(
      String groupId,
      Instant asOf,
      long readStartedNanos,
      SortedMap<Integer, PartitionProgress> partitions) {
    /** Copies the partitions, which stay unmodifiable. */
    public Snapshot {
      partitions = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(partitions));
    }

    /** The partition that holds a key's events. */
    public int partitionOf(String key) {
      return GroupProgress.partitionOf(key, partitions.size());
    }

    /** Events of a partition not yet persisted. */
    public long lagEvents(int partition) {
      return progress(partition).lagEvents();
    }

    /** Events not yet persisted, over every partition. */
    public long lagEvents() {
      return partitions.values().stream().mapToLong(PartitionProgress::lagEvents).sum();
    }

    /** Whether a partition had persisted every event acknowledged before the read started. */
    public boolean caughtUp(int partition) {
      return progress(partition).caughtUp();
    }

    /** Whether the key's partition had persisted every event acknowledged before the read. */
    public boolean caughtUp(String key) {
      return caughtUp(partitionOf(key));
    }

    /** Whether every partition is caught up. */
    public boolean caughtUp() {
      return partitions.values().stream().allMatch(PartitionProgress::caughtUp);
    }

    private PartitionProgress progress(int partition) {
      PartitionProgress progress = partitions.get(partition);
      if (progress == null) {
        throw new IllegalArgumentException(
            "the topic has no partition " + partition + " (" + partitions.size() + " known)");
      }
      return progress;
    }
  }
}
