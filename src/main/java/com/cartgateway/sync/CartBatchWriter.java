package com.cartgateway.sync;

import com.cartgateway.config.AppConfig;
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
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Stores batches of cart events in DynamoDB: the newest version of each cart, never an older one
 * over a newer one, retrying until DynamoDB has taken every item.
 *
 * <p><b>Never backwards.</b> BatchWriteItem takes no condition, so two writers (two consumers
 * briefly owning one partition during a rebalance, or a replay from an old offset) could put an
 * older version last, and reading first does not help: the read and the write are not atomic. Every
 * item is therefore a conditional put, {@code attribute_not_exists(cartId) OR version < :version},
 * sent as {@code TransactWriteItems} of at most 25 puts, one request for 25 items as with
 * BatchWriteItem. A put whose condition fails is stale (DynamoDB already has that version or a
 * newer one) and is dropped; as a transaction is all or nothing, DynamoDB then cancels the others
 * (reason {@code None}), and they are sent again at once without the stale ones. The cost is two
 * write units an item instead of one, paid for a condition that holds whatever the interleaving.
 *
 * <p><b>Retries.</b> Items a transaction could not take (throttling, a conflict with a concurrent
 * transaction on the same cart, DynamoDB unreachable) stay pending, and the whole write is retried
 * through a Vert.x {@link CircuitBreaker} with {@link RetryPolicy#exponentialDelayWithJitter} (full
 * jitter, capped), sending only the items still pending. The worker has nowhere else to put an
 * event, so it never gives up: the breaker retries without limit and its circuit opens only on
 * {@link #close()}, which stops the retries. Inside each attempt the AWS SDK applies its own retry
 * strategy to transient errors; those retries and throttles are counted too, and every refusal is
 * counted by kind (throughput, untaken items, other failures: see {@link WriteBehindMetrics}).
 */
public final class CartBatchWriter {
  /** The most items one DynamoDB write request carries. */
  public static final int MAX_ITEMS_PER_REQUEST = 25;

  private static final Logger LOG = Logger.getLogger(CartBatchWriter.class.getName());
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
  public CartBatchWriter(
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
                        "DynamoDB write failed, retry " + retry + ": " + describe(failure));
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

  /** Sends every pending item, 25 a request; fails while any item is left pending. */
  private Future<Void> attempt(Context context, Map<String, VersionedItem> pending, Tally tally) {
    List<VersionedItem> all = List.copyOf(pending.values());
    List<Future<Void>> requests = new ArrayList<>();
    for (int from = 0; from < all.size(); from += MAX_ITEMS_PER_REQUEST) {
      List<VersionedItem> chunk =
          all.subList(from, Math.min(all.size(), from + MAX_ITEMS_PER_REQUEST));
      requests.add(send(context, chunk, pending, tally));
    }
    return Future.join(requests)
        .transform(
            joined ->
                pending.isEmpty()
                    ? Future.<Void>succeededFuture()
                    : Future.<Void>failedFuture(
                        joined.failed()
                            ? joined.cause()
                            : new IllegalStateException(pending.size() + " items pending")));
  }

  /** One conditional transaction; settles the items it could and leaves the rest pending. */
  private Future<Void> send(
      Context context, List<VersionedItem> chunk, Map<String, VersionedItem> pending, Tally tally) {
    metrics.requestItems.record(chunk.size());
    return Future.fromCompletionStage(dynamo.transactWriteItems(request(chunk)), context)
        .transform(
            sent -> {
              if (sent.succeeded()) {
                chunk.forEach(event -> pending.remove(event.slot()));
                tally.written += chunk.size();
                metrics.written.increment(chunk.size());
                return Future.succeededFuture();
              }
              Throwable cause = unwrap(sent.cause());
              if (cause instanceof TransactionCanceledException canceled
                  && canceled.hasCancellationReasons()
                  && canceled.cancellationReasons().size() == chunk.size()) {
                return canceled(context, chunk, canceled, pending, tally);
              }
              metrics.refused(WriteBehindMetrics.codeOf(cause), cause);
              return Future.failedFuture(cause);
            });
  }

  /**
   * Reads why DynamoDB canceled a transaction, item by item: stale items are dropped; if nothing
   * but stale items stood in the way, the others go again at once, else they wait for a retry.
   */
  private Future<Void> canceled(
      Context context,
      List<VersionedItem> chunk,
      TransactionCanceledException canceled,
      Map<String, VersionedItem> pending,
      Tally tally) {
    List<VersionedItem> innocent = new ArrayList<>();
    int staleHere = 0;
    boolean transientFailure = false;
    for (int i = 0; i < chunk.size(); i++) {
      CancellationReason reason = canceled.cancellationReasons().get(i);
      String code = reason.code() == null ? "None" : reason.code();
      switch (code) {
        case "ConditionalCheckFailed" -> {
          pending.remove(chunk.get(i).slot());
          tally.stale++;
          staleHere++;
          metrics.stale.increment();
        }
        case "None" -> innocent.add(chunk.get(i));
        default -> {
          // Throttled, TransactionConflict, or anything new: counted by kind, then retried.
          metrics.refused(code, null);
          transientFailure = true;
        }
      }
    }
    if (transientFailure) {
      // Everything not stale waits for the next retry: DynamoDB's form of UnprocessedItems here.
      metrics.unprocessed.increment(chunk.size() - staleHere);
    }
    if (!transientFailure && !innocent.isEmpty() && innocent.size() < chunk.size()) {
      return send(context, innocent, pending, tally);
    }
    return innocent.isEmpty() && !transientFailure
        ? Future.succeededFuture()
        : Future.failedFuture(canceled);
  }

  private TransactWriteItemsRequest request(List<VersionedItem> chunk) {
    List<TransactWriteItem> puts = new ArrayList<>(chunk.size());
    for (VersionedItem item : chunk) {
      puts.add(
          TransactWriteItem.builder()
              .put(
                  Put.builder()
                      .tableName(item.table())
                      .item(item.attributes())
                      .conditionExpression(CONDITION)
                      .expressionAttributeNames(
                          Map.of("#id", item.keyName(), "#version", DynamoCarts.VERSION))
                      .expressionAttributeValues(
                          Map.of(":version", AttributeValue.fromN(Long.toString(item.version()))))
                      .build())
              .build());
    }
    return TransactWriteItemsRequest.builder()
        .transactItems(puts)
        .overrideConfiguration(
            o -> o.apiCallTimeout(REQUEST_TIMEOUT).addMetricPublisher(sdkRetryCounter))
        .build();
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  private static String describe(Throwable failure) {
    if (failure instanceof TransactionCanceledException canceled
        && canceled.hasCancellationReasons()) {
      return "transaction canceled "
          + canceled.cancellationReasons().stream().map(CancellationReason::code).toList();
    }
    return String.valueOf(failure);
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
