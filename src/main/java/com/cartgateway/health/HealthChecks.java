package com.cartgateway.health;

import com.cartgateway.circuit.Circuits;
import com.cartgateway.durability.GroupProgress;
import com.cartgateway.events.Topics;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;

/**
 * What {@code /health/ready} answers: whether this process would take writes now, from checks run
 * in the background and never on the probe's request, so that a probe answers at once even while a
 * dependency hangs. The store's state and the lag are read every {@value #REFRESH_MILLIS} ms, the
 * dependencies checked every second; each check one at a time.
 *
 * <p>Ready means: Redis, Kafka and DynamoDB answer (a check without an answer for a second counts
 * as DOWN, before its own deadline), the Redis and Kafka circuits are closed, a write of a cart
 * Redis lacks would be taken on some Redis shard (not during the publish window, the catalog
 * restore or the catch-up of DynamoDB after a start or a loss of every shard: {@code
 * CartRebuilder#writesRefused}; each shard's state is in the body, since a process that serves the
 * shards still whole stays ready while one shard catches up), and the worker group has at most
 * {@code http.readyMaxLagEvents} events of {@code cart.events} left to persist. Each unmet
 * condition is a reason code. The lag itself is reported too, from the process's {@link
 * GroupProgress}. In a process without the HTTP role, ready means the dependencies it uses answer
 * and their circuits are closed (its writes are never refused and it sets no lag bound).
 *
 * <p>One instance per verticle, on its event loop: the checks and the probe share its thread.
 */
public final class HealthChecks {
  private static final long REFRESH_MILLIS = 250;
  private static final int DEPENDENCY_TICKS = 4;

  private final Circuits circuits;
  private final long maxLagEvents;
  private final Optional<DependencyCheck> redis;
  private final DependencyCheck kafka;
  private final DependencyCheck dynamodb;
  private final Latest<Map<String, Optional<String>>> writes;
  private final Latest<JsonObject> writeBehind;
  private final Vertx vertx;
  private long timer = -1;
  private long ticks;

  /**
   * @param vertx the Vert.x instance of the process (its circuits, its timers)
   * @param redis the verticle's Redis client; empty in a process that does not use Redis
   * @param kafka the process's Kafka admin client
   * @param dynamo the process's DynamoDB client
   * @param table the table that must exist
   * @param timeout the deadline of each check
   * @param progress the process's write-behind progress
   * @param writesRefused why a write of a cart Redis lacks would be refused now, by shard (empty
   *     where it would be taken; no shards in a process whose writes are never refused)
   * @param maxLagEvents the most events left to persist while ready; 0 for no bound
   */
  public HealthChecks(
      Vertx vertx,
      Optional<RedisGateway> redis,
      Admin kafka,
      DynamoDbAsyncClient dynamo,
      String table,
      Duration timeout,
      GroupProgress progress,
      Supplier<Future<Map<String, Optional<String>>>> writesRefused,
      long maxLagEvents) {
    this.vertx = vertx;
    this.circuits = Circuits.of(vertx);
    this.maxLagEvents = maxLagEvents;
    long timeoutMillis = timeout.toMillis();
    // Kafka and DynamoDB checks count in their circuits, so that an open circuit gets its trial
    // call from here even when no request comes (readiness keeps requests away meanwhile).
    this.redis = redis.map(r -> new DependencyCheck(() -> RedisServer.ping(r), timeoutMillis));
    this.kafka =
        new DependencyCheck(
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
                                vertx.getOrCreateContext())
                            .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                            .mapEmpty()),
            timeoutMillis);
    this.dynamodb =
        new DependencyCheck(
            () ->
                circuits.call(
                    Circuits.DYNAMODB,
                    () ->
                        Future.fromCompletionStage(
                                dynamo.describeTable(
                                    DescribeTableRequest.builder().tableName(table).build()),
                                vertx.getOrCreateContext())
                            .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                            .mapEmpty()),
            timeoutMillis);
    this.writes = new Latest<>(writesRefused);
    this.writeBehind = new Latest<>(() -> writeBehind(progress, timeoutMillis));
  }

  /** Starts the checks on the calling verticle's event loop; the first round starts now. */
  public void start() {
    refresh();
    timer = vertx.setPeriodic(REFRESH_MILLIS, id -> refresh());
  }

  /** Stops the checks. */
  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /**
   * Readiness now, from the latest checks.
   *
   * @param ready whether this process would take writes
   * @param reasons why not, as codes ({@code starting}, {@code redis_down}, {@code
   *     kafka_circuit_open}, {@code publish_window}, {@code write_behind_lag}...), in a fixed order
   * @param body {@code {status, checks: {redis, kafka, dynamodb}, circuits, writeBehind}}
   */
  public record Readiness(boolean ready, List<String> reasons, JsonObject body) {}

  /** Readiness from the latest checks, without any I/O. */
  public Readiness current() {
    long now = System.nanoTime();
    List<String> reasons = new ArrayList<>();
    JsonObject checks = new JsonObject();
    redis.ifPresent(check -> checks.put("redis", check.status(now)));
    checks.put("kafka", kafka.status(now)).put("dynamodb", dynamodb.status(now));
    checks.forEach(
        check -> {
          if (!"UP".equals(((JsonObject) check.getValue()).getString("status"))) {
            reasons.add(check.getKey() + "_down");
          }
        });
    JsonObject circuitStates = new JsonObject();
    for (String circuit : Circuits.ALL) {
      int state = circuits.state(circuit);
      circuitStates.put(circuit, Circuits.name(state));
      // Half-open too: all calls but one trial still fail at once.
      if (state != Circuits.CLOSED && !circuit.equals(Circuits.DYNAMODB)) {
        reasons.add(circuit + "_circuit_open");
      }
    }
    JsonObject shards = new JsonObject();
    if (writes.value == null) {
      reasons.add("starting");
    } else {
      writes.value.forEach((shard, refused) -> shards.put(shard, refused.orElse("writable")));
      if (!writes.value.isEmpty() && writes.value.values().stream().allMatch(Optional::isPresent)) {
        reasons.add(writes.value.values().iterator().next().orElseThrow());
      }
    }
    JsonObject lag = writeBehind.value;
    if (lag != null
        && maxLagEvents > 0
        && lag.getLong("lagEvents") != null
        && lag.getLong("lagEvents") > maxLagEvents) {
      reasons.add("write_behind_lag");
    }
    JsonObject body =
        new JsonObject()
            .put("status", reasons.isEmpty() ? "UP" : "DOWN")
            .put("checks", checks)
            .put("circuits", circuitStates);
    if (!shards.isEmpty()) {
      body.put("shards", shards);
    }
    if (lag != null) {
      body.put("writeBehind", lag);
    }
    return new Readiness(reasons.isEmpty(), List.copyOf(reasons), body);
  }

  private void refresh() {
    writes.run();
    writeBehind.run();
    // The dependencies once a second: DescribeTable and DescribeCluster are control-plane calls,
    // made by every verticle of every process.
    if (ticks++ % DEPENDENCY_TICKS == 0) {
      redis.ifPresent(DependencyCheck::run);
      kafka.run();
      dynamodb.run();
    }
  }

  /**
   * The lag as data; never fails (a failure to read it is reported in the object). {@code
   * lagSeconds} is null, since Kafka's offsets do not date the oldest unpersisted event (each
   * worker exports {@code cart_writebehind_lag_seconds}).
   */
  private static Future<JsonObject> writeBehind(GroupProgress reader, long timeoutMillis) {
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
              GroupProgress.Snapshot snapshot = read.result();
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

  /** The latest value of something read in the background, one read at a time. */
  private static final class Latest<T> {
    private final Supplier<Future<T>> read;
    private T value;
    private boolean reading;

    Latest(Supplier<Future<T>> read) {
      this.read = read;
    }

    void run() {
      if (reading) {
        return;
      }
      reading = true;
      read.get()
          .onComplete(
              done -> {
                reading = false;
                if (done.succeeded()) {
                  value = done.result();
                }
              });
    }
  }
}
