package com.cartgateway.events;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether a Kafka send may be made straight from an event loop, for all the publishers of one
 * producer (one per process). {@code KafkaProducer.send} blocks in two cases only: while it has no
 * metadata for the topic, and while its buffer is full. So a send goes straight from the loop only
 * when a record of the topic was acknowledged within the last minute (the producer then has its
 * partitions, and forgets a topic only after five idle minutes, {@code metadata.max.idle.ms}), and
 * while the records sent and not yet answered stay under a quarter of the producer's buffer ({@code
 * buffer.memory}, 32 MiB by default). Else the send goes through a worker thread, as every send
 * did: that hop, a wake-up of another thread for each write, is what a direct send saves.
 */
public final class DirectSends {
  /** A quarter of the producer's default {@code buffer.memory}, which the gateway keeps. */
  static final long MAX_PENDING_BYTES = 8L << 20;

  /** Well within the producer's {@code metadata.max.idle.ms} (5 minutes by default). */
  private static final long WARM_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final ConcurrentHashMap<String, Long> acknowledgedAt = new ConcurrentHashMap<>();
  private final AtomicLong pendingBytes = new AtomicLong();

  /** Whether a record of {@code bytes} for {@code topic} may be sent from the caller's thread. */
  boolean allowed(String topic, long bytes) {
    Long acknowledged = acknowledgedAt.get(topic);
    return acknowledged != null
        && System.nanoTime() - acknowledged < WARM_NANOS
        && pendingBytes.get() + bytes < MAX_PENDING_BYTES;
  }

  /** A record of {@code bytes} is about to be sent, by either path. */
  void sending(long bytes) {
    pendingBytes.addAndGet(bytes);
  }

  /**
   * The producer answered a record: it is no longer pending, and when it was acknowledged, the
   * producer knows its topic.
   */
  void answered(String topic, long bytes, boolean acknowledged) {
    pendingBytes.addAndGet(-bytes);
    if (acknowledged) {
      acknowledgedAt.put(topic, System.nanoTime());
    }
  }
}
