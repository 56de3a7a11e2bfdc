package com.cartgateway.worker;

import static com.cartgateway.worker.WorkerProcess.event;
import static com.cartgateway.worker.WorkerProcess.join;
import static com.cartgateway.worker.WorkerProcess.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.durability.GroupProgress;
import com.cartgateway.durability.GroupProgress.Snapshot;
import com.cartgateway.events.Topics;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The persisted progress of the worker group against the real broker: what a cached answer means,
 * what a fresh one guarantees (invariant 2 rests on it), and the lag meters.
 */
@DisplayName("the write-behind progress reads the worker group's offsets without blocking")
class GroupProgressIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  @DisplayName(
      "a fresh answer sees an event acknowledged just before the question; a cached one may not;"
          + " caught up means DynamoDB has it")
  void freshVersusCached() throws Exception {
    try (WorkerProcess process = WorkerProcess.start(unique("wbp"), unique("wbp"), 500)) {
      process.createTable();
      // A long cache, so that what the cached answer may miss is visible deterministically.
      GroupProgress progress =
          new GroupProgress(
              process.clients.kafkaAdmin(),
              process.config.worker().groupId(),
              Topics.CART_EVENTS,
              WAIT,
              null);
      String cart = unique("u:fresh");
      String worker = process.deploy();
      process.publish(List.of(event(cart, 1)));
      await().atMost(WAIT).until(() -> join(progress.caughtUpFresh(cart)));
      assertThat(process.storedVersion(cart)).isEqualTo(1);
      assertThat(join(progress.caughtUp(cart))).isTrue();

      join(process.undeploy(worker));
      process.publish(List.of(event(cart, 2)));

      assertThat(join(progress.caughtUp(cart)))
          .as("the cached snapshot predates version 2: caughtUp is for reporting only")
          .isTrue();
      Snapshot fresh = join(progress.fresh());
      assertThat(fresh.caughtUp(cart)).isFalse();
      assertThat(fresh.lagEvents(fresh.partitionOf(cart))).isEqualTo(1);
      assertThat(join(progress.caughtUpFresh(cart))).isFalse();
      assertThat(process.storedVersion(cart)).isEqualTo(1);

      process.deploy();
      await().atMost(WAIT).until(() -> join(progress.caughtUpFresh(cart)));
      assertThat(process.storedVersion(cart))
          .as("a fresh caught-up answer implies the acknowledged version is stored")
          .isEqualTo(2);
    }
  }

  @Test
  @DisplayName(
      "callers asking for a fresh answer during a read share the next read, which starts after"
          + " them; cached callers share the last")
  void freshReadsStartAfterTheQuestion() throws Exception {
    try (WorkerProcess process = WorkerProcess.start(unique("wbp"), unique("wbp"), 500)) {
      GroupProgress progress =
          new GroupProgress(
              process.clients.kafkaAdmin(),
              process.config.worker().groupId(),
              Topics.CART_EVENTS,
              WAIT,
              null);
      Future<Snapshot> inFlight = progress.snapshot();
      long asked = System.nanoTime();
      Future<Snapshot> first = progress.fresh();
      Future<Snapshot> second = progress.fresh();

      Snapshot before = join(inFlight);
      Snapshot after = join(first);
      assertThat(before.readStartedNanos() - asked).isNegative();
      assertThat(after.readStartedNanos() - asked).isNotNegative();
      assertThat(join(second)).isSameAs(after);
      assertThat(join(progress.snapshot())).as("cached: the newest read").isSameAs(after);
      assertThat(progress.latest()).containsSame(after);
      assertThat(after.partitions()).hasSize(3);
    }
  }

  @Test
  @DisplayName(
      "while DynamoDB refuses, lag in events (group, per partition, and per consumer) and in"
          + " seconds grows, refusals are counted; once it takes the batch, all fall to 0")
  void lagMetersMove() throws Exception {
    // No table yet: every write is refused until the test creates it.
    try (WorkerProcess process = WorkerProcess.start(unique("wbp"), unique("wbp"), 500)) {
      String cart = unique("u:lag");
      process.deploy();
      process.publish(List.of(event(cart, 1), event(cart, 2)));

      await().atMost(WAIT).until(() -> process.gauge("cart_writebehind_lag_seconds") > 1.5);
      await().atMost(WAIT).until(() -> process.gauge("cart_writebehind_lag_events") >= 2);
      int partition = GroupProgress.partitionOf(cart, 3);
      await().atMost(WAIT).until(() -> groupLag(process, partition) >= 2);
      assertThat(process.counter("cart_writebehind_dynamodb_failures", "reason", "other"))
          .as("ResourceNotFoundException: neither a throttle nor an outage")
          .isPositive();
      assertThat(process.counter("cart_writebehind_dynamodb_throttles", "reason", "throttling"))
          .isZero();
      assertThat(process.clients.registry().scrape())
          .contains("cart_writebehind_group_lag_events{partition=\"" + partition + "\"}");

      process.createTable();
      await().atMost(WAIT).until(() -> process.storedVersion(cart) == 2);
      await().atMost(WAIT).until(() -> process.gauge("cart_writebehind_lag_seconds") == 0);
      await().atMost(WAIT).until(() -> process.gauge("cart_writebehind_lag_events") == 0);
      await().atMost(WAIT).until(() -> groupLag(process, partition) == 0);
    }
  }

  private static double groupLag(WorkerProcess process, int partition) {
    Gauge gauge =
        process
            .clients
            .registry()
            .find("cart_writebehind_group_lag_events")
            .tag("partition", Integer.toString(partition))
            .gauge();
    return gauge == null ? Double.NaN : gauge.value();
  }
}
