package com.cartgateway.worker;

import static com.cartgateway.worker.WorkerProcess.event;
import static com.cartgateway.worker.WorkerProcess.join;
import static com.cartgateway.worker.WorkerProcess.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.durability.GroupProgress;
import com.cartgateway.dynamo.DynamoCarts;
import com.cartgateway.events.CartEvent;
import com.cartgateway.events.Topics;
import com.cartgateway.process.ProcessClients;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.TestServices;
import io.micrometer.core.instrument.DistributionSummary;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Invariant 1 from Kafka to DynamoDB: every event of {@code cart.events} reaches DynamoDB, offsets
 * move only after the write, and DynamoDB never goes back to an older version of a cart.
 */
@DisplayName("the worker drains cart.events into DynamoDB")
class WriteBehindIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static List<String> carts(int count) {
    return IntStream.range(0, count).mapToObj(i -> unique("u:shopper")).toList();
  }

  private static List<CartEvent> round(List<String> carts, long version) {
    return carts.stream().map(id -> event(id, version)).toList();
  }

  private static Map<String, Optional<CartEvent>> snapshot(
      WorkerProcess process, List<String> ids) {
    return ids.stream().collect(Collectors.toMap(Function.identity(), process::stored));
  }

  @Test
  @DisplayName("an older version replayed after a newer one leaves DynamoDB at the newer one")
  void replayedOlderVersion() throws Exception {
    try (WorkerProcess process = WorkerProcess.start(unique("wb"), unique("wb"), 500)) {
      process.createTable();
      String cart = unique("u:alice");
      process.deploy();
      process.publish(IntStream.rangeClosed(1, 5).mapToObj(v -> event(cart, v)).toList());
      await().atMost(WAIT).until(() -> process.storedVersion(cart) == 5);

      process.publish(List.of(event(cart, 3)));
      await().atMost(WAIT).until(() -> process.groupLag() == 0);

      assertThat(process.stored(cart)).contains(event(cart, 5));
      assertThat(process.counter("cart_writebehind_items", "outcome", "stale")).isPositive();
    }
  }

  @Test
  @DisplayName(
      "a second group, then the first group reset to the earliest offset, replay everything and"
          + " change nothing in DynamoDB")
  void replayFromEarliest() throws Exception {
    String table = unique("wb");
    List<String> carts = carts(5);
    try (WorkerProcess first = WorkerProcess.start(table, unique("wb-first"), 500);
        WorkerProcess second = WorkerProcess.start(table, unique("wb-second"), 500)) {
      first.createTable();
      String deployment = first.deploy();
      for (int version = 1; version <= 6; version++) {
        first.publish(round(carts, version));
      }
      await().atMost(WAIT).until(() -> first.groupLag() == 0);
      Map<String, Optional<CartEvent>> before = snapshot(first, carts);
      assertThat(before.values())
          .allSatisfy(e -> assertThat(e).map(CartEvent::version).hasValue(6L));

      second.deploy();
      await().atMost(WAIT).until(() -> second.groupLag() == 0);
      assertThat(second.counter("cart_writebehind_items", "outcome", "written"))
          .as("every item of the replay was stale")
          .isZero();
      assertThat(second.counter("cart_writebehind_items", "outcome", "stale")).isPositive();
      assertThat(snapshot(first, carts)).isEqualTo(before);

      join(first.undeploy(deployment));
      resetToEarliest(first);
      double writtenBefore = first.counter("cart_writebehind_items", "outcome", "written");
      first.deploy();
      await().atMost(WAIT).until(() -> first.groupLag() == 0);
      assertThat(first.counter("cart_writebehind_items", "outcome", "written"))
          .isEqualTo(writtenBefore);
      assertThat(snapshot(first, carts)).isEqualTo(before);
    }
  }

  private static void resetToEarliest(WorkerProcess process) {
    Map<TopicPartition, OffsetAndMetadata> earliest =
        process.committed().keySet().stream()
            .collect(Collectors.toMap(Function.identity(), p -> new OffsetAndMetadata(0)));
    join(
        Future.fromCompletionStage(
            process
                .clients
                .kafkaAdmin()
                .alterConsumerGroupOffsets(process.config.worker().groupId(), earliest)
                .all()
                .toCompletionStage()));
  }

  @Test
  @DisplayName(
      "two workers of one group joining and leaving, and a second group on the same table, all"
          + " while events flow, leave every cart at its newest version")
  void concurrentConsumers() throws Exception {
    String table = unique("wb");
    String group = unique("wb-shared");
    List<String> carts = carts(12);
    int rounds = 40;
    try (WorkerProcess one = WorkerProcess.start(table, group, 20);
        WorkerProcess two = WorkerProcess.start(table, group, 20);
        WorkerProcess other = WorkerProcess.start(table, unique("wb-other"), 20)) {
      // Only this test's events: a new group would otherwise first write every other test's.
      one.skipHistory();
      other.skipHistory();
      one.createTable();
      String first = one.deploy();
      other.deploy();
      List<Long> seen = new ArrayList<>();
      for (int version = 1; version <= rounds; version++) {
        one.publish(round(carts, version));
        if (version == 10) {
          two.deploy();
        } else if (version == 25) {
          join(one.undeploy(first));
        } else if (version == 32) {
          one.deploy();
        }
        seen.add(one.storedVersion(carts.get(0)));
        Thread.sleep(20);
      }
      await().atMost(WAIT).until(() -> one.groupLag() == 0 && other.groupLag() == 0);

      for (String id : carts) {
        assertThat(one.stored(id)).contains(event(id, rounds));
      }
      assertThat(seen).as("a cart's stored version only grows").isSorted();
    }
  }

  @Test
  @DisplayName(
      "while DynamoDB refuses a batch, the consumer holds that one batch with its partitions"
          + " paused and commits nothing; once DynamoDB takes it, everything lands and resumes")
  void pausedAndUncommittedWhileRefused() throws Exception {
    int maxPollRecords = 10;
    // The table does not exist yet: every write is refused until the test creates it.
    try (WorkerProcess process = WorkerProcess.start(unique("wb"), unique("wb"), maxPollRecords)) {
      List<String> carts = carts(6);
      // Only this test's events: the shared topics' history, drained 10 at a time, would make the
      // wait below depend on how many events earlier tests left.
      process.skipHistory();
      var skipped = process.committed();
      process.deploy();
      for (int version = 1; version <= 10; version++) {
        process.publish(round(carts, version));
      }
      await()
          .atMost(WAIT)
          .until(() -> process.counter("cart_writebehind_dynamodb_retries", "layer", "worker") > 0);

      Instant until = Instant.now().plusSeconds(3);
      while (Instant.now().isBefore(until)) {
        assertThat(process.gauge("cart_writebehind_inflight_events"))
            .isBetween(1.0, (double) maxPollRecords);
        assertThat(process.gauge("cart_writebehind_paused_partitions"))
            .as("every partition of cart.events and catalog.events")
            .isEqualTo(
                TestServices.TOPICS.get(Topics.CART_EVENTS)
                    + TestServices.TOPICS.get(Topics.CATALOG_EVENTS));
        assertThat(process.committed())
            .as("no offset committed before the write")
            .isEqualTo(skipped);
        Thread.sleep(100);
      }

      process.createTable();
      await().atMost(WAIT).until(() -> process.groupLag() == 0);
      for (String id : carts) {
        assertThat(process.stored(id)).contains(event(id, 10));
      }
      await().atMost(WAIT).until(() -> process.gauge("cart_writebehind_paused_partitions") == 0);
    }
  }

  @Test
  @DisplayName("undeploying finishes the batch in flight, commits it, and leaves the group")
  void stopFinishesTheBatch() throws Exception {
    try (WorkerProcess process = WorkerProcess.start(unique("wb"), unique("wb"), 10_000)) {
      process.skipHistory();
      List<String> carts = carts(5);
      for (int version = 1; version <= 3; version++) {
        process.publish(round(carts, version));
      }
      String deployment = process.deploy();
      await()
          .atMost(WAIT)
          .until(() -> process.counter("cart_writebehind_dynamodb_retries", "layer", "worker") > 0);

      Future<Void> stopped = process.undeploy(deployment);
      Thread.sleep(300);
      assertThat(stopped.isComplete()).as("the stop waits for the batch in flight").isFalse();
      process.createTable();
      join(stopped);

      for (String id : carts) {
        assertThat(process.stored(id)).contains(event(id, 3));
      }
      assertThat(process.groupLag()).as("the batch was committed").isZero();
      assertThat(process.group().members()).as("the consumer left its group").isEmpty();
    }
  }

  @Test
  @DisplayName("a record that is not a cart event is counted and skipped; the next event lands")
  void skipsRecordsThatAreNotEvents() throws Exception {
    try (WorkerProcess process = WorkerProcess.start(unique("wb"), unique("wb"), 500)) {
      process.createTable();
      String cart = unique("u:bob");
      process.deploy();
      process.publishRaw(cart, "not json", false);
      process.publishRaw(cart, "{\"cartId\":\"" + cart + "\"}", false);
      process.publish(List.of(event(cart, 1)));

      await().atMost(WAIT).until(() -> process.groupLag() == 0);
      assertThat(process.stored(cart)).contains(event(cart, 1));
      assertThat(process.counter("cart_writebehind_invalid_events")).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  @DisplayName(
      "after a batch the registry reports lag in events and seconds, batch sizes, coalescing,"
          + " retries and throttles")
  void metrics() throws Exception {
    try (WorkerProcess process = WorkerProcess.start(unique("wb"), unique("wb"), 500)) {
      process.createTable();
      List<String> carts = carts(3);
      for (int version = 1; version <= 4; version++) {
        process.publish(round(carts, version));
      }
      process.deploy();
      await().atMost(WAIT).until(() -> process.groupLag() == 0);
      await().atMost(WAIT).until(() -> process.gauge("cart_writebehind_lag_events") == 0);

      var registry = process.clients.registry();
      DistributionSummary events = registry.find("cart_writebehind_batch_events").summary();
      DistributionSummary items = registry.find("cart_writebehind_batch_items").summary();
      assertThat(events.count()).isPositive();
      assertThat(events.totalAmount()).isGreaterThanOrEqualTo(12);
      assertThat(items.totalAmount()).isLessThan(events.totalAmount());
      assertThat(registry.find("cart_writebehind_coalescing_ratio").gauge().value())
          .isGreaterThan(1);
      assertThat(process.counter("cart_writebehind_items", "outcome", "written"))
          .isGreaterThanOrEqualTo(3);
      assertThat(registry.find("cart_writebehind_dynamodb_retries").counters()).hasSize(2);
      assertThat(registry.find("cart_writebehind_dynamodb_throttles").counter()).isNotNull();
      assertThat(registry.find("cart_writebehind_lag_seconds").gauge()).isNotNull();
      await().atMost(WAIT).until(() -> process.gauge("cart_writebehind_lag_seconds") == 0);
      assertThat(registry.scrape())
          .contains("cart_writebehind_lag_events{consumer=\"" + process.config.worker().groupId())
          .contains("cart_writebehind_items_total{outcome=\"written\"}")
          .contains("cart_writebehind_batch_events_count");
    }
  }

  @Test
  @DisplayName("partitionOf names the partition the Kafka producer picks for a cart's events")
  void partitionOfMatchesTheProducer() throws Exception {
    try (WorkerProcess process = WorkerProcess.start(unique("wb"), unique("wb"), 500)) {
      for (int i = 0; i < 12; i++) {
        String cart = unique("u:p");
        RecordMetadata sent =
            process
                .clients
                .producer()
                .send(
                    new ProducerRecord<>(
                        Topics.CART_EVENTS, cart, event(cart, 1).toJson().encode()))
                .get();
        assertThat(GroupProgress.partitionOf(cart, 3)).isEqualTo(sent.partition());
      }
    }
  }

  @Test
  @DisplayName("a gateway process with the worker role drains cart.events into its carts table")
  void gatewayRunsTheWorker() throws Exception {
    Gateway gateway = Gateway.start(Map.of("CART_ROLES", "worker"));
    try {
      ProcessClients clients = gateway.application().clients();
      DynamoCarts stored =
          new DynamoCarts(clients.dynamo(), gateway.config().dynamoDb().cartsTable());
      CartEvent event = event(unique("u:carol"), 1);
      clients
          .producer()
          .send(new ProducerRecord<>(Topics.CART_EVENTS, event.cartId(), event.toJson().encode()))
          .get();
      await().atMost(WAIT).until(() -> join(stored.read(event.cartId())).isPresent());
      assertThat(join(stored.read(event.cartId()))).contains(event);
    } finally {
      gateway.close();
    }
  }
}
