package com.cartgateway.ops;

import com.cartgateway.circuit.Circuits;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisServer;
import com.cartgateway.sync.Topics;
import com.cartgateway.sync.WriteBehindProgress;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;

/**
 * Real checks of Redis, Kafka and DynamoDB, each with a deadline, for {@code /health/ready}, and
 * the write-behind lag of the worker group on {@code cart.events}.
 *
 * <p>Lag is reported as data and never makes the gateway "not ready": a worker that is behind (or
 * stopped) leaves the HTTP role fully able to serve, and taking instances out of the load balancer
 * would not help DynamoDB catch up. Readiness is DOWN only when a dependency does not answer, Kafka
 * included. The lag comes from the process's {@link WriteBehindProgress} snapshot (at most 250 ms
 * old), so a probe costs no extra Kafka round trip in steady state.
 */
public final class HealthChecks {
  private final RedisGateway redis;
  private final Admin kafka;
  private final DynamoDbAsyncClient dynamo;
  private final String table;
  private final long timeoutMillis;
  private final WriteBehindProgress progress;

  /**
   * @param redis the verticle's Redis client
   * @param kafka the process's Kafka admin client
   * @param dynamo the process's DynamoDB client
   * @param table the table that must exist
   * @param timeout the deadline of each check
   */
  public HealthChecks(
      RedisGateway redis, Admin kafka, DynamoDbAsyncClient dynamo, String table, Duration timeout) {
    this(redis, kafka, dynamo, table, timeout, null);
  }

  /**
   * @param redis the verticle's Redis client
   * @param kafka the process's Kafka admin client
   * @param dynamo the process's DynamoDB client
   * @param table the table that must exist
   * @param timeout the deadline of each check
   * @param progress the process's write-behind progress; null for the one the application
   *     registered with the Vert.x instance ({@link WriteBehindProgress#inProcess}), if any
   */
  public HealthChecks(
      RedisGateway redis,
      Admin kafka,
      DynamoDbAsyncClient dynamo,
      String table,
      Duration timeout,
      WriteBehindProgress progress) {
    this.redis = redis;
    this.kafka = kafka;
    this.dynamo = dynamo;
    this.table = table;
    this.timeoutMillis = timeout.toMillis();
    this.progress = progress;
  }

  /**
   * {@code {status, checks: {redis, kafka, dynamodb}, writeBehind}}; status UP only when all checks
   * are UP, whatever the lag. {@code writeBehind} is {@code {group, topic, lagEvents, caughtUp,
   * lagSeconds, asOf, partitions: [{partition, committed, end, lagEvents}]}}, or {@code {group,
   * topic, error}} when the offsets could not be read; {@code lagSeconds} is null, since Kafka's
   * offsets do not date the oldest unpersisted event (each worker exports {@code
   * cart_writebehind_lag_seconds}). Absent when the process has no progress reader.
   */
  public Future<JsonObject> ready(Context context) {
    Future<JsonObject> w =
        Optional.ofNullable(progress)
            .or(() -> WriteBehindProgress.inProcess(context.owner()))
            .map(this::writeBehind)
            .orElse(Future.succeededFuture());
    Future<JsonObject> r = check(() -> RedisServer.ping(redis));
    // Through their circuits, so that a half-open circuit gets its trial call from a probe too
    // (requests never make it).
    Circuits circuits = Circuits.of(context.owner());
    Future<JsonObject> k =
        check(
            () ->
                circuits.call(
                    Circuits.KAFKA,
                    () ->
                        Future.fromCompletionStage(
                                kafka
                                    .describeCluster(
                                        new DescribeClusterOptions().timeoutMs((int) timeoutMillis))
                                    .clusterId()
                                    .toCompletionStage(),
                                context)
                            .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                            .mapEmpty()));
    Future<JsonObject> d =
        check(
            () ->
                circuits.call(
                    Circuits.DYNAMODB,
                    () ->
                        Future.fromCompletionStage(
                                dynamo.describeTable(
                                    DescribeTableRequest.builder().tableName(table).build()),
                                context)
                            .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                            .mapEmpty()));
    return Future.join(r, k, d, w)
        .transform(
            ignored -> {
              JsonObject checks =
                  new JsonObject()
                      .put("redis", r.result())
                      .put("kafka", k.result())
                      .put("dynamodb", d.result());
              boolean up =
                  checks.stream()
                      .allMatch(e -> "UP".equals(((JsonObject) e.getValue()).getString("status")));
              JsonObject body =
                  new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks);
              if (w.result() != null) {
                body.put("writeBehind", w.result());
              }
              return Future.succeededFuture(body);
            });
  }

  /** The lag as data; never fails (a failure to read it is reported in the object). */
  private Future<JsonObject> writeBehind(WriteBehindProgress reader) {
    JsonObject base =
        new JsonObject().put("group", reader.groupId()).put("topic", Topics.CART_EVENTS);
    return reader
        .snapshot()
        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .transform(
            read -> {
              if (read.failed()) {
                return Future.succeededFuture(
                    base.put("error", read.cause().getClass().getSimpleName()));
              }
              WriteBehindProgress.Snapshot snapshot = read.result();
              JsonArray partitions = new JsonArray();
              snapshot
                  .partitions()
                  .values()
                  .forEach(
                      p ->
                          partitions.add(
                              new JsonObject()
                                  .put("partition", p.partition())
                                  .put("committed", p.committed() < 0 ? null : p.committed())
                                  .put("end", p.end())
                                  .put("lagEvents", p.lagEvents())));
              return Future.succeededFuture(
                  base.put("lagEvents", snapshot.lagEvents())
                      .put("caughtUp", snapshot.caughtUp())
                      .putNull("lagSeconds")
                      .put("asOf", snapshot.asOf().toString())
                      .put("partitions", partitions));
            });
  }

  private Future<JsonObject> check(Supplier<Future<Void>> probe) {
    long start = System.nanoTime();
    return probe
        .get()
        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .transform(
            ar -> {
              JsonObject result =
                  new JsonObject()
                      .put("status", ar.succeeded() ? "UP" : "DOWN")
                      .put("latencyMs", (System.nanoTime() - start) / 1_000_000);
              if (ar.failed()) {
                result.put("error", ar.cause().getClass().getSimpleName());
              }
              return Future.succeededFuture(result);
            });
  }
}
