package com.cartgateway.ops;

import com.cartgateway.store.RedisGateway;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;

/** Real checks of Redis, Kafka and DynamoDB, each with a deadline, for {@code /health/ready}. */
public final class HealthChecks {
  private final RedisGateway redis;
  private final Admin kafka;
  private final DynamoDbAsyncClient dynamo;
  private final String table;
  private final long timeoutMillis;

  /**
   * @param redis the verticle's Redis client
   * @param kafka the process's Kafka admin client
   * @param dynamo the process's DynamoDB client
   * @param table the table that must exist
   * @param timeout the deadline of each check
   */
  public HealthChecks(
      RedisGateway redis, Admin kafka, DynamoDbAsyncClient dynamo, String table, Duration timeout) {
    this.redis = redis;
    this.kafka = kafka;
    this.dynamo = dynamo;
    this.table = table;
    this.timeoutMillis = timeout.toMillis();
  }

  /** {@code {status, checks: {redis, kafka, dynamodb}}}; status UP only when all are UP. */
  public Future<JsonObject> ready(Context context) {
    Future<JsonObject> r = check(() -> redis.send(Request.cmd(Command.PING)).mapEmpty());
    Future<JsonObject> k =
        check(
            () ->
                Future.fromCompletionStage(
                        kafka
                            .describeCluster(
                                new DescribeClusterOptions().timeoutMs((int) timeoutMillis))
                            .clusterId()
                            .toCompletionStage(),
                        context)
                    .mapEmpty());
    Future<JsonObject> d =
        check(
            () ->
                Future.fromCompletionStage(
                        dynamo.describeTable(
                            DescribeTableRequest.builder().tableName(table).build()),
                        context)
                    .mapEmpty());
    return Future.join(r, k, d)
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
              return Future.succeededFuture(
                  new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks));
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
