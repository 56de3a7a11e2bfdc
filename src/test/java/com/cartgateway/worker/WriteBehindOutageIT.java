package com.cartgateway.worker;

import static com.cartgateway.worker.WorkerProcess.event;
import static com.cartgateway.worker.WorkerProcess.join;
import static com.cartgateway.worker.WorkerProcess.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.config.AppConfig;
import com.cartgateway.config.ConfigLoader;
import com.cartgateway.dynamo.DynamoTables;
import com.cartgateway.support.TestServices;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Invariant 1 under a fault: DynamoDB down for a while delays the write-behind, loses nothing. */
@DisplayName("a DynamoDB outage loses no cart event")
class WriteBehindOutageIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  @DisplayName(
      "while DynamoDB is down the worker retries and commits nothing; once it is back, every"
          + " event lands")
  void dynamoDbDownThenBack() throws Exception {
    TestServices services = TestServices.get();
    List<String> carts = IntStream.range(0, 5).mapToObj(i -> unique("u:outage")).toList();
    try (WorkerProcess process = WorkerProcess.start(unique("outage"), unique("outage"), 500)) {
      process.createTable();
      process.deploy();
      process.publish(carts.stream().map(id -> event(id, 1)).toList());
      await().atMost(WAIT).until(() -> process.groupLag() == 0);
      Map<TopicPartition, OffsetAndMetadata> committed = process.committed();

      services.dynamoDb().stop();
      try {
        for (int version = 2; version <= 4; version++) {
          final long v = version;
          process.publish(carts.stream().map(id -> event(id, v)).toList());
        }
        await().atMost(WAIT).until(() -> retries(process) > 0);
        assertThat(process.committed())
            .as("nothing committed while DynamoDB is down")
            .isEqualTo(committed);
        assertThat(process.groupLag()).isEqualTo(15);
      } finally {
        services.dynamoDb().start();
        // DynamoDB Local comes back empty: the worker keeps retrying until the tables exist again.
        process.createTable();
        join(
            Future.fromCompletionStage(
                DynamoTables.ensure(process.clients.dynamo(), defaults().dynamoDb())));
      }

      await().atMost(WAIT).until(() -> process.groupLag() == 0);
      for (String id : carts) {
        assertThat(process.stored(id)).contains(event(id, 4));
      }
    }
  }

  private static double retries(WorkerProcess process) {
    return process.counter("cart_writebehind_dynamodb_retries", "layer", "worker")
        + process.counter("cart_writebehind_dynamodb_retries", "layer", "sdk");
  }

  /** The default tables, which the other tests of this JVM expect. */
  private static AppConfig defaults() {
    AppConfig config = WorkerProcess.config("unused", "unused", 1);
    return ConfigLoader.fromLayers(
        new JsonObject()
            .put(
                "dynamodb",
                new JsonObject().put("endpoint", config.dynamoDb().endpoint().orElseThrow())),
        new Properties(),
        Map.of(
            "CART_JWT_SECRET", "test-secret-test-secret-test-secret-42",
            "CART_ADMIN_TOKEN", "test-admin-token-0123456789"));
  }
}
