package com.cartgateway.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * The process-wide meters of the write-behind worker ({@code cart_writebehind_*}). Every instance
 * built on one registry shares the same meters, so verticle instances add up. The per-consumer
 * gauges (lag, events in flight, paused partitions) are {@link ConsumerGauges}, one set per loop;
 * the group's lag by partition is in {@link com.cartgateway.durability.GroupProgress}.
 *
 * <p>DynamoDB refusals are counted by kind, so that a dashboard tells "DynamoDB needs capacity"
 * from "DynamoDB is unreachable": {@code cart_writebehind_dynamodb_throttles{reason}} for
 * throughput ({@code provisioned_throughput_exceeded}, {@code throttling}, {@code
 * request_limit_exceeded}, and {@code sdk_attempt} for throttled attempts the AWS SDK retried by
 * itself, whose code it does not report); {@code cart_writebehind_dynamodb_failures{reason}} for
 * everything else ({@code unavailable}, {@code other}). What the writes cost is {@code
 * cart_writebehind_dynamodb_write_units}: the write units DynamoDB reported for the items it took.
 */
final class WriteBehindMetrics {
  static final String THROTTLES = "cart_writebehind_dynamodb_throttles";
  static final String FAILURES = "cart_writebehind_dynamodb_failures";
  static final String PROVISIONED = "provisioned_throughput_exceeded";
  static final String THROTTLING = "throttling";
  static final String REQUEST_LIMIT = "request_limit_exceeded";
  static final String SDK_ATTEMPT = "sdk_attempt";
  static final String UNAVAILABLE = "unavailable";
  static final String OTHER = "other";

  private static final String COALESCING_RATIO = "cart_writebehind_coalescing_ratio";
  // Powers of about 2.5 up to the largest poll the configuration allows.
  private static final double[] BATCH_BUCKETS = {
    1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000
  };
  // Error codes of DynamoDB, by the reason they are counted under.
  private static final Map<String, String> THROTTLE_CODES =
      Map.of(
          "ProvisionedThroughputExceededException", PROVISIONED,
          "ThrottlingException", THROTTLING,
          "Throttling", THROTTLING,
          "RequestLimitExceeded", REQUEST_LIMIT);

  final DistributionSummary batchEvents;
  final DistributionSummary batchItems;
  final Counter written;
  final Counter stale;
  final Counter invalid;
  final Counter workerRetries;
  final Counter sdkRetries;
  final Counter writeUnits;
  final Counter commitFailures;
  final Timer batchWrite;
  private final Map<String, Counter> throttles;
  private final Map<String, Counter> failures;

  WriteBehindMetrics(MeterRegistry registry) {
    batchEvents =
        DistributionSummary.builder("cart_writebehind_batch_events")
            .description("Valid cart events in one batch taken from Kafka")
            .serviceLevelObjectives(BATCH_BUCKETS)
            .register(registry);
    batchItems =
        DistributionSummary.builder("cart_writebehind_batch_items")
            .description("DynamoDB items of one batch, after coalescing versions of a cart")
            .serviceLevelObjectives(BATCH_BUCKETS)
            .register(registry);
    written = items(registry, "written");
    stale = items(registry, "stale");
    invalid =
        Counter.builder("cart_writebehind_invalid_events")
            .description("Records of cart.events that are not cart events, skipped")
            .register(registry);
    workerRetries = retries(registry, "worker");
    sdkRetries = retries(registry, "sdk");
    writeUnits =
        Counter.builder("cart_writebehind_dynamodb_write_units")
            .description(
                "Write capacity units DynamoDB reported consumed by the items it took"
                    + " (ReturnConsumedCapacity)")
            .register(registry);
    // Registered up front, so that every reason shows as 0 before it first happens.
    throttles =
        Map.of(
            PROVISIONED, throttle(registry, PROVISIONED),
            THROTTLING, throttle(registry, THROTTLING),
            REQUEST_LIMIT, throttle(registry, REQUEST_LIMIT),
            SDK_ATTEMPT, throttle(registry, SDK_ATTEMPT));
    failures =
        Map.of(
            UNAVAILABLE, failure(registry, UNAVAILABLE),
            OTHER, failure(registry, OTHER));
    commitFailures =
        Counter.builder("cart_writebehind_commit_failures")
            .description("Offset commits refused (rebalance or Kafka down); the events replay")
            .register(registry);
    batchWrite =
        Timer.builder("cart_writebehind_batch_write")
            .description("Time to store one batch in DynamoDB, retries included")
            .register(registry);
    // Reads only the meters above, which the registry owns: the first instance's gauge serves all.
    if (registry.find(COALESCING_RATIO).gauge() == null) {
      Gauge.builder(COALESCING_RATIO, this::coalescingRatio)
          .description("Events taken from Kafka per DynamoDB item, since the start")
          .register(registry);
    }
  }

  /**
   * Counts a put that DynamoDB refused: as a throttle when its code says throughput, else as a
   * failure by kind.
   *
   * @param code the error code; null when DynamoDB gave none (the client could not reach it)
   * @param failure the exception
   */
  void refused(String code, Throwable failure) {
    String throttle = code == null ? null : THROTTLE_CODES.get(code);
    if (throttle == null
        && failure instanceof SdkServiceException service
        && service.isThrottlingException()) {
      throttle = THROTTLING;
    }
    if (throttle != null) {
      throttles.get(throttle).increment();
    } else if (failure instanceof SdkClientException
        || failure instanceof SdkServiceException service && service.statusCode() >= 500) {
      failures.get(UNAVAILABLE).increment();
    } else {
      failures.get(OTHER).increment();
    }
  }

  /** Counts a throttled attempt that the AWS SDK retried inside one call. */
  void sdkThrottled() {
    throttles.get(SDK_ATTEMPT).increment();
  }

  /** The error code of a DynamoDB exception, or null. */
  static String codeOf(Throwable failure) {
    if (!(failure instanceof DynamoDbException dynamo)) {
      return null;
    }
    // An exception built without details (not parsed from a response) still names its kind.
    return dynamo.awsErrorDetails() != null && dynamo.awsErrorDetails().errorCode() != null
        ? dynamo.awsErrorDetails().errorCode()
        : dynamo.getClass().getSimpleName();
  }

  private double coalescingRatio() {
    double items = batchItems.totalAmount();
    return items == 0 ? 0 : batchEvents.totalAmount() / items;
  }

  private static Counter items(MeterRegistry registry, String outcome) {
    return Counter.builder("cart_writebehind_items")
        .description("DynamoDB items by outcome: written, or stale (DynamoDB had a newer version)")
        .tag("outcome", outcome)
        .register(registry);
  }

  private static Counter retries(MeterRegistry registry, String layer) {
    return Counter.builder("cart_writebehind_dynamodb_retries")
        .description("DynamoDB writes retried, by the worker's backoff or inside the AWS SDK")
        .tag("layer", layer)
        .register(registry);
  }

  private static Counter throttle(MeterRegistry registry, String reason) {
    return Counter.builder(THROTTLES)
        .description(
            "DynamoDB puts refused for throughput, by reason (sdk_attempt:"
                + " retried inside the AWS SDK, code not reported)")
        .tag("reason", reason)
        .register(registry);
  }

  private static Counter failure(MeterRegistry registry, String reason) {
    return Counter.builder(FAILURES)
        .description("DynamoDB puts refused for a reason other than throughput")
        .tag("reason", reason)
        .register(registry);
  }

  /**
   * The gauges of one consumer, tagged with its client id: what its {@link WriteBehindLoop} holds
   * and how far behind it is. The loop writes the fields; the scrape thread reads them.
   */
  static final class ConsumerGauges {
    private final MeterRegistry registry;
    private final List<Meter> gauges = new ArrayList<>();
    volatile long inFlightEvents;
    volatile int pausedPartitions;
    volatile long lagEvents;
    volatile long oldestPendingAt;
    volatile long newestWrittenAt;
    volatile boolean idle = true;

    ConsumerGauges(MeterRegistry registry, String consumerId) {
      this.registry = registry;
      gauge(
          consumerId,
          "cart_writebehind_lag_events",
          "Events of this consumer's partitions not yet committed (so not yet in DynamoDB)",
          g -> g.lagEvents);
      gauge(
          consumerId,
          "cart_writebehind_lag_seconds",
          "Age (record timestamp) of the oldest polled event not yet in DynamoDB (0 when caught"
              + " up)",
          ConsumerGauges::lagSeconds);
      gauge(
          consumerId,
          "cart_writebehind_inflight_events",
          "Records this consumer holds in memory: the batch being written and any held for the"
              + " next",
          g -> g.inFlightEvents);
      gauge(
          consumerId,
          "cart_writebehind_paused_partitions",
          "Partitions paused while a batch is written",
          g -> g.pausedPartitions);
    }

    /** Removes this consumer's gauges, once it has left the group. */
    void remove() {
      gauges.forEach(registry::remove);
    }

    /**
     * Seconds DynamoDB is behind, from record timestamps: now minus the timestamp of the oldest
     * record not yet written while a batch is in flight, of the newest record written between
     * batches, and 0 once a poll finds nothing new. Events still in Kafka that this consumer has
     * not polled yet are not seen here; {@code cart_writebehind_lag_events} counts them.
     */
    private double lagSeconds() {
      long since = oldestPendingAt > 0 ? oldestPendingAt : idle ? 0 : newestWrittenAt;
      return since == 0 ? 0 : Math.max(0, System.currentTimeMillis() - since) / 1000.0;
    }

    private void gauge(
        String consumerId,
        String name,
        String description,
        ToDoubleFunction<ConsumerGauges> value) {
      gauges.add(
          Gauge.builder(name, this, value)
              .description(description)
              .tags(Tags.of("consumer", consumerId))
              .strongReference(true)
              .register(registry));
    }
  }
}
