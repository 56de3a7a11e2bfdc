package com.cartgateway.worker;

import com.cartgateway.config.AppConfig;
import com.cartgateway.dynamo.DynamoCarts;
import com.cartgateway.dynamo.VersionedItem;
import com.cartgateway.events.CartEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.RetryPolicy;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.core.metrics.CoreMetric;
import software.amazon.awssdk.metrics.MetricCollection;
import software.amazon.awssdk.metrics.MetricPublisher;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

/**
 * Stores batches of versioned items in DynamoDB, carts and SKUs alike: the newest version of each
 * key, never an older one over a newer one, retrying until DynamoDB has taken every item.
 *
 * <p><b>Never backwards.</b> BatchWriteItem takes no condition, so two writers (two consumers
 * briefly owning one partition during a rebalance, or a replay from an old offset) could put an
 * older version last, and reading first does not help: the read and the write are not atomic. Every
 * item is therefore a conditional {@code PutItem}, {@code attribute_not_exists(<key>) OR version <
 * :version}, and up to {@link #MAX_IN_FLIGHT} of them are in flight at once. A put is one write
 * unit per KB of item, half of what the same put costs inside {@code TransactWriteItems}; the
 * condition needs no transaction, as it is about one item only. A put whose condition fails is
 * stale (DynamoDB already has that version or a newer one) and is dropped. The write units DynamoDB
 * reports ({@code ReturnConsumedCapacity}) are counted, so that the cost of a change shows in
 * {@code cart_writebehind_dynamodb_write_units}.
 *
 * <p><b>Retries.</b> An item DynamoDB did not take (throttling, DynamoDB unreachable) stays
 * pending; the lane that sent it stops there, so that an outage costs one timeout per lane and not
 * one per item, and the whole write is retried through a Vert.x {@link CircuitBreaker} with {@link
 * RetryPolicy#exponentialDelayWithJitter} (full jitter, capped), sending only the items still
 * pending. The worker has nowhere else to put an event, so it never gives up: the breaker retries
 * without limit and its circuit opens only on {@link #close()}, which stops the retries. Inside
 * each attempt the AWS SDK applies its own retry strategy to transient errors; those retries and
 * throttles are counted too, and every refusal is counted by kind (throughput, other failures: see
 * {@link WriteBehindMetrics}).
 */
public final class ItemBatchWriter {
  /**
   * The most puts one writer has in flight. Half the DynamoDB client's connection pool (64), so
   * that a second worker instance of the process still finds connections.
   */
  static final int MAX_IN_FLIGHT = 32;

  private static final Logger LOG = Logger.getLogger(ItemBatchWriter.class.getName());
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final String CONDITION = "attribute_not_exists(#id) OR #version < :version";
  // Beyond 2^30 ms the cap applies anyway; the bound keeps the policy's shift from overflowing.
  private static final int MAX_BACKOFF_EXPONENT = 30;

  private final Vertx vertx;
  private final DynamoDbAsyncClient dynamo;
  private final String table;
  private final WriteBehindMetrics metrics;
  private final CircuitBreaker breaker;
  private final SdkRetryCounter sdkRetryCounter;

  /**
   * @param vertx the Vert.x instance; results complete on the context that calls {@link #write}
   * @param dynamo the process's DynamoDB client
   * @param table the carts table
   * @param worker the retry backoff settings
   * @param registry where the {@code cart_writebehind_*} meters go
   */
  public ItemBatchWriter(
      Vertx vertx,
      DynamoDbAsyncClient dynamo,
      String table,
      AppConfig.Worker worker,
      MeterRegistry registry) {
    this.vertx = vertx;
    this.dynamo = dynamo;
    this.table = table;
    this.metrics = new WriteBehindMetrics(registry);
    this.sdkRetryCounter = new SdkRetryCounter(metrics);
    RetryPolicy backoff =
        RetryPolicy.exponentialDelayWithJitter(
            worker.retryInitialDelay().toMillis(), worker.retryMaxDelay().toMillis());
    this.breaker =
        CircuitBreaker.create(
                "cart-writebehind-" + table,
                vertx,
                new CircuitBreakerOptions()
                    .setMaxRetries(Integer.MAX_VALUE)
                    .setMaxFailures(Integer.MAX_VALUE)
                    // Each request has the SDK's own deadline; an attempt never runs unbounded.
                    .setTimeout(-1))
            .retryPolicy(
                (failure, retry) -> {
                  metrics.workerRetries.increment();
                  if (Integer.bitCount(retry) == 1) {
                    // The 1st, 2nd, 4th, 8th... retry of a batch: visible, not a flood.
                    LOG.log(
                        Level.WARNING,
                        "DynamoDB write failed, retry " + retry + ": " + unwrap(failure));
                  }
                  return backoff.delay(failure, Math.min(retry, MAX_BACKOFF_EXPONENT));
                });
  }

  /** The outcome of one batch. */
  public record Result(int events, int items, int written, int stale) {}

  /**
   * Stores the newest version of each cart among {@code events}. Completes once every item is
   * written or found stale; fails only after {@link #close()}. Call it on a Vert.x context: the
   * state of the write stays on that context, one write at a time as the worker does.
   *
   * @param events events in any order, several versions of a cart allowed
   * @return how many events came in, how many items they made, and their outcomes
   */
  public Future<Result> write(Collection<CartEvent> events) {
    return writeItems(events.stream().map(e -> DynamoCarts.versioned(table, e)).toList());
  }

  /**
   * Stores the newest version of each key among {@code items}, which may mix tables (carts and the
   * catalog): as {@link #write}.
   */
  public Future<Result> writeItems(Collection<VersionedItem> items) {
    Map<String, VersionedItem> pending = coalesceItems(items);
    int count = pending.size();
    metrics.batchEvents.record(items.size());
    metrics.batchItems.record(count);
    if (count == 0) {
      return Future.succeededFuture(new Result(items.size(), 0, 0, 0));
    }
    Context context = vertx.getOrCreateContext();
    Tally tally = new Tally();
    Timer.Sample timer = Timer.start();
    return breaker
        .<Void>execute(() -> attempt(context, pending, tally))
        .map(
            done -> {
              timer.stop(metrics.batchWrite);
              return new Result(items.size(), count, tally.written, tally.stale);
            });
  }

  /** Stops retrying: a write in progress fails at its next retry. */
  public void close() {
    breaker.open();
  }

  /** The newest version of each key, in first-seen order. */
  static Map<String, VersionedItem> coalesceItems(Collection<VersionedItem> items) {
    Map<String, VersionedItem> newest = new LinkedHashMap<>();
    for (VersionedItem item : items) {
      newest.merge(
          item.slot(), item, (kept, next) -> next.version() > kept.version() ? next : kept);
    }
    return newest;
  }

  /**
   * Sends every pending item, {@link #MAX_IN_FLIGHT} at a time; fails while any item is left
   * pending.
   */
  private Future<Void> attempt(Context context, Map<String, VersionedItem> pending, Tally tally) {
    Iterator<VersionedItem> queue = List.copyOf(pending.values()).iterator();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int i = 0; i < Math.min(MAX_IN_FLIGHT, pending.size()); i++) {
      lanes.add(lane(context, queue, pending, tally));
    }
    return Future.join(lanes)
        .transform(
            joined ->
                pending.isEmpty()
                    ? Future.<Void>succeededFuture()
                    : Future.<Void>failedFuture(
                        joined.failed()
                            ? joined.cause()
                            : new IllegalStateException(pending.size() + " items pending")));
  }

  /** Puts items from the queue one after the other, until it is empty or a put fails. */
  private Future<Void> lane(
      Context context,
      Iterator<VersionedItem> queue,
      Map<String, VersionedItem> pending,
      Tally tally) {
    if (!queue.hasNext()) {
      return Future.succeededFuture();
    }
    return put(context, queue.next(), pending, tally)
        .compose(done -> lane(context, queue, pending, tally));
  }

  /** One conditional put: written or stale settles the item, anything else leaves it pending. */
  private Future<Void> put(
      Context context, VersionedItem item, Map<String, VersionedItem> pending, Tally tally) {
    return Future.fromCompletionStage(dynamo.putItem(request(item)), context)
        .transform(
            sent -> {
              if (sent.succeeded()) {
                pending.remove(item.slot());
                tally.written++;
                metrics.written.increment();
                countUnits(sent.result());
                return Future.succeededFuture();
              }
              Throwable cause = unwrap(sent.cause());
              if (cause instanceof ConditionalCheckFailedException) {
                pending.remove(item.slot());
                tally.stale++;
                metrics.stale.increment();
                return Future.succeededFuture();
              }
              metrics.refused(WriteBehindMetrics.codeOf(cause), cause);
              return Future.failedFuture(cause);
            });
  }

  private void countUnits(PutItemResponse response) {
    if (response.consumedCapacity() != null
        && response.consumedCapacity().capacityUnits() != null) {
      metrics.writeUnits.increment(response.consumedCapacity().capacityUnits());
    }
  }

  private PutItemRequest request(VersionedItem item) {
    return PutItemRequest.builder()
        .tableName(item.table())
        .item(item.attributes())
        .conditionExpression(CONDITION)
        .expressionAttributeNames(Map.of("#id", item.keyName(), "#version", VersionedItem.VERSION))
        .expressionAttributeValues(
            Map.of(":version", AttributeValue.fromN(Long.toString(item.version()))))
        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
        .overrideConfiguration(
            o -> o.apiCallTimeout(REQUEST_TIMEOUT).addMetricPublisher(sdkRetryCounter))
        .build();
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  /** Outcomes of one {@link #write}, across its attempts. */
  private static final class Tally {
    int written;
    int stale;
  }

  /**
   * Counts the retries and throttles that happen inside the AWS SDK's own retry strategy, which the
   * worker would not see otherwise (the SDK calls it once an API call ends). The last attempt of a
   * call is left out of the throttles: if it failed, the worker counts it by its error code.
   */
  static final class SdkRetryCounter implements MetricPublisher {
    private final WriteBehindMetrics metrics;

    SdkRetryCounter(WriteBehindMetrics metrics) {
      this.metrics = metrics;
    }

    @Override
    public void publish(MetricCollection call) {
      call.metricValues(CoreMetric.RETRY_COUNT).forEach(metrics.sdkRetries::increment);
      List<MetricCollection> attempts = call.childrenWithName("ApiCallAttempt").toList();
      attempts.stream()
          .limit(Math.max(0, attempts.size() - 1))
          .flatMap(attempt -> attempt.metricValues(CoreMetric.ERROR_TYPE).stream())
          .filter("Throttling"::equals)
          .forEach(throttled -> metrics.sdkThrottled());
    }

    @Override
    public void close() {}
  }
}
