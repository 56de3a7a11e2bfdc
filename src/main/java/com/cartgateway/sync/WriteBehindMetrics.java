package com.cartgateway.sync;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The process-wide meters of the write-behind worker ({@code cart_writebehind_*}). Every instance
 * built on one registry shares the same meters, so verticle instances add up. The per-consumer
 * gauges (lag, events in flight, paused partitions) live in {@link WriteBehindVerticle}.
 */
final class WriteBehindMetrics {
  private static final String COALESCING_RATIO = "cart_writebehind_coalescing_ratio";

  final DistributionSummary batchEvents;
  final DistributionSummary batchItems;
  final DistributionSummary requestItems;
  final Counter written;
  final Counter stale;
  final Counter invalid;
  final Counter workerRetries;
  final Counter sdkRetries;
  final Counter throttles;
  final Counter commitFailures;
  final Timer batchWrite;

  WriteBehindMetrics(MeterRegistry registry) {
    batchEvents =
        DistributionSummary.builder("cart_writebehind_batch_events")
            .description("Valid cart events in one batch taken from Kafka")
            .register(registry);
    batchItems =
        DistributionSummary.builder("cart_writebehind_batch_items")
            .description("DynamoDB items of one batch, after coalescing versions of a cart")
            .register(registry);
    requestItems =
        DistributionSummary.builder("cart_writebehind_request_items")
            .description("Items in one DynamoDB write request (at most 25)")
            .register(registry);
    written = items(registry, "written");
    stale = items(registry, "stale");
    invalid =
        Counter.builder("cart_writebehind_invalid_events")
            .description("Records of cart.events that are not cart events, skipped")
            .register(registry);
    workerRetries = retries(registry, "worker");
    sdkRetries = retries(registry, "sdk");
    throttles =
        Counter.builder("cart_writebehind_dynamodb_throttles")
            .description("DynamoDB requests or transaction items refused for throughput")
            .register(registry);
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
}
