package com.cartgateway.worker;

import static org.awaitility.Awaitility.await;

import com.cartgateway.commerce.CartLine;
import com.cartgateway.durability.GroupProgress;
import com.cartgateway.durability.GroupProgress.Snapshot;
import com.cartgateway.events.CartEvent;
import com.cartgateway.events.Topics;
import com.cartgateway.identity.Owner;
import io.micrometer.core.instrument.DistributionSummary;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A figure, not a test: the coalescing ratio and the write-behind lag of the worker under a
 * hot-cart load. Starts the embedded services, one worker as the application deploys it, and
 * produces {@code events} cart events for {@code hotCarts} carts (round robin, each a new version)
 * at {@code rate} a second into {@code cart.events} with the {@code acks=all}, idempotent producer.
 *
 * <p>The lag of each event is measured from outside the worker: from the producer's acknowledgement
 * to the first read of the group's committed offsets (through {@link GroupProgress#fresh()}, every
 * {@code sampleMillis}) that is past the event, so it includes the commit and is an upper bound by
 * at most one sample interval plus one Admin round trip.
 *
 * <p>Run (not part of {@code mvn verify}, whose plugins only pick {@code *Test} and {@code *IT}):
 *
 * <pre>
 * mvn -q -Pdev test-compile exec:java -Ddev.main.class=com.cartgateway.worker.WriteBehindBenchmark \
 *     -Dexec.args="events=30000 rate=1000 hotCarts=10"
 * </pre>
 */
public final class WriteBehindBenchmark {
  private WriteBehindBenchmark() {}

  /**
   * @param args {@code name=value} settings: events, rate, hotCarts, maxPollRecords, sampleMillis,
   *     warmupSeconds (events sent in the first seconds are left out of the lag percentiles, which
   *     otherwise show the JIT and DynamoDB Local warming up)
   */
  public static void main(String[] args) throws Exception {
    Map<String, Integer> settings = settings(args);
    int events = settings.get("events");
    int rate = settings.get("rate");
    int hotCarts = settings.get("hotCarts");
    int sampleMillis = settings.get("sampleMillis");
    int code = 0;
    try (WorkerProcess process =
        WorkerProcess.start(
            WorkerProcess.unique("bench"),
            WorkerProcess.unique("bench"),
            settings.get("maxPollRecords"))) {
      process.createTable();
      GroupProgress progress =
          new GroupProgress(
              process.clients.kafkaAdmin(),
              process.config.worker().groupId(),
              Topics.CART_EVENTS,
              GroupProgress.DEFAULT_MAX_AGE,
              null);
      // Only this run's events count: the end offsets now are where they start.
      Map<Integer, Long> startOffsets = ends(WorkerProcess.join(progress.fresh()));
      process.deploy();

      Sampler sampler = new Sampler(progress, process, sampleMillis);
      Thread sampling = new Thread(sampler, "bench-sampler");
      sampling.start();
      Produced produced = produce(process, events, rate, hotCarts);
      long allAcked = System.nanoTime();

      await()
          .atMost(Duration.ofMinutes(5))
          .until(() -> sampler.last() != null && persisted(sampler.last(), produced));
      sampler.stop();
      sampling.join();

      report(settings, process, produced, sampler, startOffsets, allAcked);
    } catch (Throwable e) {
      e.printStackTrace();
      code = 1;
    }
    // The embedded services are stopped by their shutdown hook.
    System.exit(code);
  }

  private static Map<String, Integer> settings(String[] args) {
    Map<String, Integer> settings =
        new HashMap<>(
            Map.of(
                "events", 30_000,
                "rate", 1_000,
                "hotCarts", 10,
                "maxPollRecords", 500,
                "sampleMillis", 20,
                "warmupSeconds", 5));
    for (String arg : args) {
      String[] pair = arg.split("=", 2);
      if (!settings.containsKey(pair[0]) || pair.length != 2) {
        throw new IllegalArgumentException("unknown setting " + arg + "; known: " + settings);
      }
      settings.put(pair[0], Integer.parseInt(pair[1]));
    }
    return settings;
  }

  /** Every event sent: its partition, offset and acknowledgement time. */
  private record Produced(int[] partition, long[] offset, long[] ackedAt, long firstSent) {}

  private static Produced produce(WorkerProcess process, int events, int rate, int hotCarts)
      throws InterruptedException {
    List<String> carts = new ArrayList<>();
    for (int i = 0; i < hotCarts; i++) {
      carts.add(WorkerProcess.unique("u:hot"));
    }
    int[] partition = new int[events];
    long[] offset = new long[events];
    long[] ackedAt = new long[events];
    CountDownLatch acked = new CountDownLatch(events);
    AtomicReference<Exception> failure = new AtomicReference<>();
    long intervalNanos = 1_000_000_000L / rate;
    long start = System.nanoTime();
    for (int i = 0; i < events; i++) {
      long due = start + i * intervalNanos;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      String cart = carts.get(i % hotCarts);
      int n = i;
      process
          .clients
          .producer()
          .send(
              new ProducerRecord<>(
                  Topics.CART_EVENTS, cart, event(cart, i / hotCarts + 1).toJson().encode()),
              (metadata, e) -> {
                if (e != null) {
                  failure.compareAndSet(null, e);
                } else {
                  partition[n] = metadata.partition();
                  offset[n] = metadata.offset();
                  ackedAt[n] = System.nanoTime();
                }
                acked.countDown();
              });
    }
    if (!acked.await(2, TimeUnit.MINUTES) || failure.get() != null) {
      throw new IllegalStateException("events not acknowledged", failure.get());
    }
    return new Produced(partition, offset, ackedAt, start);
  }

  /** A version of a hot cart: three lines, as a shopper's cart might have. */
  private static CartEvent event(String cartId, long version) {
    long now = System.currentTimeMillis();
    List<CartLine> lines = new ArrayList<>();
    for (int line = 1; line <= 3; line++) {
      lines.add(
          new CartLine(
              "SKU-" + line,
              (int) (version % 20) + 1,
              2999,
              now,
              now,
              (int) (version % 20) + 1,
              now + 900_000,
              new JsonObject().put("size", "M")));
    }
    return new CartEvent(
        cartId, new Owner("user", cartId.substring(2)), version, now, "USD", lines);
  }

  private static Map<Integer, Long> ends(Snapshot snapshot) {
    return snapshot.partitions().values().stream()
        .collect(
            Collectors.toMap(
                GroupProgress.PartitionProgress::partition, GroupProgress.PartitionProgress::end));
  }

  private static boolean persisted(Snapshot snapshot, Produced produced) {
    for (int i = 0; i < produced.offset().length; i++) {
      if (Math.max(0, snapshot.partitions().get(produced.partition()[i]).committed())
          <= produced.offset()[i]) {
        return false;
      }
    }
    return true;
  }

  /** A fresh read of the group's offsets every few milliseconds, kept with its end time. */
  private static final class Sampler implements Runnable {
    record Sample(long readEndedNanos, Snapshot snapshot, double workerLagSeconds) {}

    private final GroupProgress progress;
    private final WorkerProcess process;
    private final long intervalNanos;
    private final List<Sample> samples = new ArrayList<>();
    private volatile boolean stopped;
    private volatile Snapshot last;

    Sampler(GroupProgress progress, WorkerProcess process, int intervalMillis) {
      this.progress = progress;
      this.process = process;
      this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    }

    @Override
    public void run() {
      while (!stopped) {
        long started = System.nanoTime();
        Snapshot snapshot = WorkerProcess.join(progress.fresh());
        synchronized (samples) {
          samples.add(
              new Sample(
                  System.nanoTime(), snapshot, process.gauge("cart_writebehind_lag_seconds")));
        }
        last = snapshot;
        LockSupport.parkNanos(intervalNanos - (System.nanoTime() - started));
      }
    }

    Snapshot last() {
      return last;
    }

    void stop() {
      stopped = true;
    }

    List<Sample> samples() {
      synchronized (samples) {
        return List.copyOf(samples);
      }
    }
  }

  private static void report(
      Map<String, Integer> settings,
      WorkerProcess process,
      Produced produced,
      Sampler sampler,
      Map<Integer, Long> startOffsets,
      long allAcked) {
    List<Sampler.Sample> samples = sampler.samples();
    int events = produced.offset().length;
    int warmup = Math.min(events - 1, settings.get("warmupSeconds") * settings.get("rate"));
    double[] lagMillis = new double[events - warmup];
    double warmupMax = 0;
    long lastPersisted = 0;
    for (int i = 0; i < events; i++) {
      int partition = produced.partition()[i];
      long offset = produced.offset()[i];
      for (Sampler.Sample sample : samples) {
        if (Math.max(0, sample.snapshot().partitions().get(partition).committed()) > offset) {
          double lag = Math.max(0, sample.readEndedNanos() - produced.ackedAt()[i]) / 1e6;
          if (i < warmup) {
            warmupMax = Math.max(warmupMax, lag);
          } else {
            lagMillis[i - warmup] = lag;
          }
          lastPersisted = Math.max(lastPersisted, sample.readEndedNanos());
          break;
        }
      }
    }
    Arrays.sort(lagMillis);
    long[] lagEvents =
        samples.stream()
            .mapToLong(
                s ->
                    s.snapshot().partitions().values().stream()
                        .mapToLong(
                            p ->
                                Math.max(
                                    0,
                                    p.end()
                                        - Math.max(
                                            startOffsets.getOrDefault(p.partition(), 0L),
                                            Math.max(0, p.committed()))))
                        .sum())
            .sorted()
            .toArray();
    double workerLagMax =
        samples.stream().mapToDouble(Sampler.Sample::workerLagSeconds).max().orElse(0);
    var registry = process.clients.registry();
    DistributionSummary batchEvents = registry.find("cart_writebehind_batch_events").summary();
    DistributionSummary batchItems = registry.find("cart_writebehind_batch_items").summary();
    double seconds = (lastPersisted - produced.firstSent()) / 1e9;
    double sendSeconds = (allAcked - produced.firstSent()) / 1e9;
    System.out.println();
    System.out.println("write-behind benchmark " + settings);
    System.out.printf(
        Locale.ROOT,
        "offered %d events/s; produced and acknowledged %d events in %.1f s (%.0f/s); all"
            + " persisted after %.1f s (%.0f events/s end to end)%n",
        settings.get("rate"),
        events,
        sendSeconds,
        events / sendSeconds,
        seconds,
        events / seconds);
    System.out.printf(
        Locale.ROOT,
        "batches %d: %.1f events and %.1f items a batch on average (max %.0f / %.0f);"
            + " coalescing ratio %.2f (events in / items written)%n",
        batchEvents.count(),
        batchEvents.mean(),
        batchItems.mean(),
        batchEvents.max(),
        batchItems.max(),
        batchEvents.totalAmount() / batchItems.totalAmount());
    System.out.printf(
        Locale.ROOT,
        "lag per event after warm-up, ack to committed offset seen (ms): p50 %.0f, p99 %.0f,"
            + " max %.0f; during the first %d s: max %.0f (resolution: %d ms samples, %d taken)%n",
        percentile(lagMillis, 0.50),
        percentile(lagMillis, 0.99),
        lagMillis[lagMillis.length - 1],
        settings.get("warmupSeconds"),
        warmupMax,
        settings.get("sampleMillis"),
        samples.size());
    System.out.printf(
        Locale.ROOT,
        "lag in events over the samples: p50 %d, p99 %d, max %d; worker's"
            + " cart_writebehind_lag_seconds max %.2f s; DynamoDB retries %.0f%n",
        lagEvents[lagEvents.length / 2],
        lagEvents[(int) Math.min(lagEvents.length - 1, Math.floor(lagEvents.length * 0.99))],
        lagEvents[lagEvents.length - 1],
        workerLagMax,
        process.counter("cart_writebehind_dynamodb_retries", "layer", "worker")
            + process.counter("cart_writebehind_dynamodb_retries", "layer", "sdk"));
    double units = process.counter("cart_writebehind_dynamodb_write_units");
    System.out.printf(
        Locale.ROOT,
        "DynamoDB write units (ReturnConsumedCapacity): %.0f for %d items written, %.2f an item;"
            + " %.0f per 1,000 cart changes%n",
        units,
        (long) process.counter("cart_writebehind_items", "outcome", "written"),
        units / process.counter("cart_writebehind_items", "outcome", "written"),
        units * 1_000 / events);
  }

  private static double percentile(double[] sorted, double q) {
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
  }
}
