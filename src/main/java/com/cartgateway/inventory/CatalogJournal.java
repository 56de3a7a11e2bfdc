package com.cartgateway.inventory;

import com.cartgateway.durability.Journal;
import com.cartgateway.events.EventPublisher;
import com.cartgateway.events.SkuState;
import com.cartgateway.store.RedisGateway;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The journal of SKUs ({@link Journal} with {@link SkuCodec}): every change of a SKU's durable
 * state (price, stock, sales) is on {@code catalog.events}, so that the worker keeps the catalog
 * table as Redis has it, and a Redis that lost everything gets its stock counters back from there.
 */
public final class CatalogJournal {
  private final Journal<SkuState> journal;

  /**
   * @param redis the verticle's Redis client
   * @param events the verticle's Kafka publisher
   * @param clock the time of the marks
   * @param registry where the timer role counts what its sweep publishes again (absent elsewhere)
   */
  public CatalogJournal(
      RedisGateway redis, EventPublisher events, Clock clock, Optional<MeterRegistry> registry) {
    this.journal = new Journal<>(redis, events, clock, new SkuCodec(redis), registry);
  }

  /**
   * Applies a change to SKUs and publishes their new states before it completes.
   *
   * @return the change's outcome; a refused change fails as it did (its marks go, nothing changed);
   *     a change applied but not published fails as unavailable, and its marks stay for the sweep;
   *     while the Kafka circuit is open the change fails as unavailable before it starts
   */
  public <T> Future<T> record(Collection<String> skus, Supplier<Future<T>> change) {
    return journal.record(skus, change);
  }

  /** Publishes the current state of each SKU Redis has. */
  public Future<Void> publish(Collection<String> skus) {
    return journal.publishCurrent(skus);
  }

  /**
   * Publishes again the SKUs of marks older than {@code grace} (longer than a change in flight
   * takes), then removes the marks; returns how many SKUs it published.
   */
  public Future<Integer> sweep(Duration grace) {
    return journal.sweep(grace);
  }
}
