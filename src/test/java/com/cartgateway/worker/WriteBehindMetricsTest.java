package com.cartgateway.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.config.AppConfig;
import com.cartgateway.events.CartEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.metrics.CoreMetric;
import software.amazon.awssdk.metrics.MetricCollector;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;

/**
 * The batch writer's meters against a scripted DynamoDB (DynamoDB Local never throttles): each kind
 * of refusal moves its own counter and only that one.
 */
@DisplayName("write-behind metrics count each kind of DynamoDB refusal on its own")
class WriteBehindMetricsTest {
  private final Vertx vertx = Vertx.vertx();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ScriptedDynamo dynamo = new ScriptedDynamo();
  private final ItemBatchWriter writer =
      new ItemBatchWriter(
          vertx,
          dynamo,
          "carts",
          new AppConfig.Worker(
              "g", 500, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(1)),
          registry);

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName(
      "throttles by code, outages and other failures each move their own counter; retries count"
          + " them all")
  void refusalsByKind() throws Exception {
    dynamo
        .then(fail(ProvisionedThroughputExceededException.builder().statusCode(400).build()))
        .then(fail(dynamoError(400, "ThrottlingException")))
        .then(fail(dynamoError(400, "RequestLimitExceeded")))
        .then(fail(SdkClientException.create("connection refused")))
        .then(fail(dynamoError(500, "InternalServerError")))
        .then(fail(dynamoError(400, "ValidationException")))
        .then(() -> ScriptedDynamo.ok(1.0));

    ItemBatchWriter.Result result =
        writer.write(List.of(WorkerProcess.event("u:a", 1))).await(10, TimeUnit.SECONDS);

    assertThat(result.written()).isEqualTo(1);
    assertThat(throttles("provisioned_throughput_exceeded")).isEqualTo(1);
    assertThat(throttles("throttling")).isEqualTo(1);
    assertThat(throttles("request_limit_exceeded")).isEqualTo(1);
    assertThat(throttles("sdk_attempt")).isZero();
    assertThat(failures("unavailable")).isEqualTo(2);
    assertThat(failures("other")).isEqualTo(1);
    assertThat(count("cart_writebehind_dynamodb_retries", "layer", "worker")).isEqualTo(6);
    assertThat(count("cart_writebehind_items", "outcome", "written")).isEqualTo(1);
    assertThat(count("cart_writebehind_dynamodb_write_units")).isEqualTo(1.0);
  }

  @Test
  @DisplayName(
      "a put that fails its version condition is stale: dropped, no retry, the others written and"
          + " their write units counted")
  void staleIsNotRetried() throws Exception {
    dynamo
        .then(fail(ConditionalCheckFailedException.builder().statusCode(400).build()))
        .then(() -> ScriptedDynamo.ok(1.0))
        .then(() -> ScriptedDynamo.ok(2.0));

    ItemBatchWriter.Result result =
        writer
            .write(
                List.of(
                    WorkerProcess.event("u:a", 1),
                    WorkerProcess.event("u:b", 1),
                    WorkerProcess.event("u:c", 1)))
            .await(10, TimeUnit.SECONDS);

    assertThat(result).isEqualTo(new ItemBatchWriter.Result(3, 3, 2, 1));
    assertThat(count("cart_writebehind_dynamodb_write_units")).isEqualTo(3.0);
    assertThat(count("cart_writebehind_dynamodb_retries", "layer", "worker")).isZero();
    assertThat(registry.find("cart_writebehind_dynamodb_failures").counters())
        .allSatisfy(c -> assertThat(c.count()).isZero());
  }

  @Test
  @DisplayName(
      "a failed put stops its lane: the items behind it wait for the retry, so an outage costs one"
          + " timeout per lane, not one per item")
  void failedPutStopsItsLane() throws Exception {
    int items = ItemBatchWriter.MAX_IN_FLIGHT * 3;
    for (int i = 0; i < ItemBatchWriter.MAX_IN_FLIGHT; i++) {
      dynamo.then(fail(SdkClientException.create("connection refused")));
    }
    List<CartEvent> events = new ArrayList<>();
    for (int i = 0; i < items; i++) {
      events.add(WorkerProcess.event("u:" + i, 1));
    }

    ItemBatchWriter.Result result = writer.write(events).await(10, TimeUnit.SECONDS);

    assertThat(result.written()).isEqualTo(items);
    assertThat(dynamo.calls())
        .as("one failed put per lane, then every item once")
        .isEqualTo(ItemBatchWriter.MAX_IN_FLIGHT + items);
    assertThat(count("cart_writebehind_dynamodb_retries", "layer", "worker")).isEqualTo(1);
  }

  @Test
  @DisplayName("throttled attempts the AWS SDK retried count once each, the call's last one not")
  void sdkAttempts() {
    MetricCollector call = MetricCollector.create("ApiCall");
    call.reportMetric(CoreMetric.RETRY_COUNT, 2);
    for (String error : List.of("Throttling", "Throttling", "Throttling")) {
      call.createChild("ApiCallAttempt").reportMetric(CoreMetric.ERROR_TYPE, error);
    }
    new ItemBatchWriter.SdkRetryCounter(new WriteBehindMetrics(registry)).publish(call.collect());

    assertThat(throttles("sdk_attempt")).isEqualTo(2);
    assertThat(count("cart_writebehind_dynamodb_retries", "layer", "sdk")).isEqualTo(2);
  }

  @Test
  @DisplayName(
      "batch sizes are histograms and the coalescing ratio is events taken per item written")
  void batchSizesAndCoalescing() throws Exception {
    writer
        .write(
            List.of(
                WorkerProcess.event("u:a", 1),
                WorkerProcess.event("u:a", 2),
                WorkerProcess.event("u:a", 3),
                WorkerProcess.event("u:b", 1),
                WorkerProcess.event("u:b", 3),
                WorkerProcess.event("u:b", 2)))
        .await(10, TimeUnit.SECONDS);

    assertThat(registry.find("cart_writebehind_coalescing_ratio").gauge().value()).isEqualTo(3.0);
    assertThat(registry.find("cart_writebehind_batch_events").summary().totalAmount()).isEqualTo(6);
    assertThat(registry.find("cart_writebehind_batch_items").summary().totalAmount()).isEqualTo(2);
    assertThat(registry.scrape())
        .containsPattern("cart_writebehind_batch_events_bucket\\{le=\"10.0\"} 1")
        .containsPattern("cart_writebehind_batch_items_bucket\\{le=\"2.0\"} 1")
        .containsPattern("cart_writebehind_dynamodb_throttles_total\\{reason=\"throttling\"} 0");
  }

  private double throttles(String reason) {
    return count("cart_writebehind_dynamodb_throttles", "reason", reason);
  }

  private double failures(String reason) {
    return count("cart_writebehind_dynamodb_failures", "reason", reason);
  }

  private double count(String name, String... tags) {
    Counter counter = registry.find(name).tags(tags).counter();
    assertThat(counter).as(name).isNotNull();
    return counter.count();
  }

  private static DynamoDbException dynamoError(int status, String code) {
    return (DynamoDbException)
        DynamoDbException.builder()
            .statusCode(status)
            .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code).build())
            .build();
  }

  private static Supplier<CompletableFuture<PutItemResponse>> fail(Throwable e) {
    return () -> CompletableFuture.failedFuture(e);
  }

  /** Answers each PutItem call with the next scripted outcome, then with success. */
  private static final class ScriptedDynamo implements DynamoDbAsyncClient {
    private final Deque<Supplier<CompletableFuture<PutItemResponse>>> script = new ArrayDeque<>();
    private int calls;

    ScriptedDynamo then(Supplier<CompletableFuture<PutItemResponse>> outcome) {
      script.add(outcome);
      return this;
    }

    static CompletableFuture<PutItemResponse> ok(double units) {
      return CompletableFuture.completedFuture(
          PutItemResponse.builder()
              .consumedCapacity(ConsumedCapacity.builder().capacityUnits(units).build())
              .build());
    }

    synchronized int calls() {
      return calls;
    }

    @Override
    public synchronized CompletableFuture<PutItemResponse> putItem(PutItemRequest request) {
      calls++;
      Supplier<CompletableFuture<PutItemResponse>> next = script.poll();
      return next == null ? ok(1.0) : next.get();
    }

    @Override
    public String serviceName() {
      return SERVICE_NAME;
    }

    @Override
    public void close() {}
  }
}
