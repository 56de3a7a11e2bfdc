package com.cartgateway.worker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.consumer.KafkaReadStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Pauses a consumer's assigned partitions while a batch is written, and meanwhile polls every
 * second on the paused partitions, so that the consumer stays in its group instead of being evicted
 * after {@code max.poll.interval.ms}. Records such a poll still returns (partitions assigned
 * meanwhile) are held for the next batch, and their partitions paused too.
 */
final class PausedPolls {
  private static final Logger LOG = Logger.getLogger(PausedPolls.class.getName());
  private static final Duration KEEP_ALIVE_POLL_TIMEOUT = Duration.ofMillis(100);
  private static final long KEEP_ALIVE_MILLIS = 1_000;

  private final Vertx vertx;
  private final KafkaReadStream<String, String> consumer;
  private final WriteBehindMetrics.ConsumerGauges gauges;
  private final List<ConsumerRecord<String, String>> carried = new ArrayList<>();
  private long keepAliveTimer = -1;
  private Future<Void> keepAlive;
  private boolean closed;

  PausedPolls(
      Vertx vertx,
      KafkaReadStream<String, String> consumer,
      WriteBehindMetrics.ConsumerGauges gauges) {
    this.vertx = vertx;
    this.consumer = consumer;
    this.gauges = gauges;
  }

  /**
   * Pauses every assigned partition, then keeps the consumer in its group until {@link #resume}.
   */
  Future<Void> pause() {
    return pauseAssigned()
        .onComplete(
            paused -> keepAliveTimer = vertx.setPeriodic(KEEP_ALIVE_MILLIS, id -> keepAlive()));
  }

  /** Stops the keep-alive polls; completes once none is running. */
  Future<Void> stopKeepAlive() {
    if (keepAliveTimer != -1) {
      vertx.cancelTimer(keepAliveTimer);
      keepAliveTimer = -1;
    }
    return keepAlive == null ? Future.succeededFuture() : keepAlive;
  }

  /** Resumes every assigned partition. */
  Future<Void> resume() {
    if (closed) {
      return Future.succeededFuture();
    }
    return consumer
        .assignment()
        .compose(consumer::resume)
        .compose(resumed -> consumer.paused())
        .map(
            paused -> {
              gauges.pausedPartitions = paused.size();
              return null;
            });
  }

  /** How many records the keep-alive polls hold for the next batch. */
  int carried() {
    return carried.size();
  }

  /** Hands over the records the keep-alive polls held, and forgets them. */
  List<ConsumerRecord<String, String>> takeCarried() {
    List<ConsumerRecord<String, String>> held = new ArrayList<>(carried);
    carried.clear();
    return held;
  }

  /** No more calls to the consumer from here: it is closing. */
  void close() {
    closed = true;
  }

  /** A failure only costs backpressure, never an event, so it is logged and the batch goes on. */
  private Future<Void> pauseAssigned() {
    if (closed) {
      return Future.succeededFuture();
    }
    return consumer
        .assignment()
        .compose(consumer::pause)
        .compose(paused -> consumer.paused())
        .<Void>map(
            paused -> {
              gauges.pausedPartitions = paused.size();
              return null;
            })
        .recover(
            e -> {
              LOG.log(Level.WARNING, "could not pause the assigned partitions", e);
              return Future.succeededFuture();
            });
  }

  private void keepAlive() {
    if (keepAlive != null || closed) {
      return;
    }
    Future<Void> polled =
        consumer
            .poll(KEEP_ALIVE_POLL_TIMEOUT)
            .compose(
                records -> {
                  if (records.isEmpty()) {
                    return Future.<Void>succeededFuture();
                  }
                  records.forEach(carried::add);
                  gauges.inFlightEvents += records.count();
                  return pauseAssigned();
                })
            .recover(
                e -> {
                  LOG.log(Level.FINE, "keep-alive poll failed", e);
                  return Future.succeededFuture();
                });
    keepAlive = polled;
    polled.onComplete(
        done -> {
          if (keepAlive == polled) {
            keepAlive = null;
          }
        });
  }
}
