package com.cartgateway.inventory;

import com.cartgateway.commerce.CartException;
import com.cartgateway.events.EventPublisher;
import com.cartgateway.events.SkuState;
import com.cartgateway.events.Topics;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.SkuRecords;
import com.cartgateway.store.StoreUnavailableException;
import com.cartgateway.store.UnpublishedMarks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Puts every change of a SKU's durable state (price, stock, sales) on {@code catalog.events}, so
 * that the worker keeps the catalog table as Redis has it, and a Redis that lost everything gets
 * its stock counters back from there.
 *
 * <p>As for carts, Redis and the log are brought back into agreement by publishing again, never by
 * rolling back: a change is marked in {@code catalog:unpublished} before it is applied, the SKU's
 * whole state is published after, and the mark goes once Kafka has it. A mark left behind (Kafka
 * refused, or the process died) is published again by the timer role's {@link #sweep}. States are
 * absolute and versioned, so publishing one twice, or late, changes nothing in DynamoDB.
 */
public final class CatalogJournal {
  private static final int PAGE = 200;

  private final RedisGateway redis;
  private final EventPublisher events;
  private final Clock clock;
  private final Optional<Counter> republished;

  /**
   * @param redis the verticle's Redis client
   * @param events the verticle's Kafka publisher
   * @param clock the time of the marks
   * @param registry where the timer role counts what it publishes again (absent elsewhere)
   */
  public CatalogJournal(
      RedisGateway redis, EventPublisher events, Clock clock, Optional<MeterRegistry> registry) {
    this.redis = redis;
    this.events = events;
    this.clock = clock;
    this.republished =
        registry.map(
            r ->
                Counter.builder("catalog_events_republished")
                    .description(
                        "SKUs whose state was published again after a change missed"
                            + " catalog.events")
                    .register(r));
  }

  /**
   * Applies a change to SKUs and publishes their new states before it completes.
   *
   * @return the change's outcome; a refused change fails as it did (its marks go, nothing changed);
   *     a change applied but not published fails as unavailable, and its marks stay for the sweep;
   *     while the Kafka circuit is open the change fails as unavailable before it starts
   */
  public <T> Future<T> record(Collection<String> skus, Supplier<Future<T>> change) {
    List<String> entries = new ArrayList<>();
    for (String sku : new LinkedHashSet<>(skus)) {
      entries.add(UnpublishedMarks.mark(sku));
    }
    if (entries.isEmpty()) {
      return change.get();
    }
    if (events.circuitOpen()) {
      // Refused before anything changes, rather than applied and left to the sweep.
      return Future.failedFuture(EventPublisher.circuitOpenFailure());
    }
    return UnpublishedMarks.add(redis, RedisKeys.CATALOG_UNPUBLISHED, clock.millis(), entries)
        .compose(marked -> change.get())
        .transform(
            done -> {
              Future<T> outcome =
                  done.succeeded()
                      ? Future.succeededFuture(done.result())
                      : Future.failedFuture(done.cause());
              if (done.failed() && done.cause() instanceof CartException) {
                // refused: nothing changed
                return remove(entries).transform(ignored -> outcome);
              }
              return publish(skus)
                  .compose(published -> remove(entries))
                  .transform(
                      published ->
                          done.failed() || published.succeeded()
                              ? outcome
                              : Future.<T>failedFuture(
                                  new StoreUnavailableException("kafka", published.cause())));
            });
  }

  /** Publishes the current state of each SKU Redis has. */
  public Future<Void> publish(Collection<String> skus) {
    List<Future<Void>> sent = new ArrayList<>();
    for (String sku : new LinkedHashSet<>(skus)) {
      sent.add(
          state(sku)
              .compose(
                  state ->
                      state.isEmpty()
                          ? Future.succeededFuture()
                          : events.publish(Topics.CATALOG_EVENTS, sku, state.get().toJson())));
    }
    return Future.all(sent).mapEmpty();
  }

  /**
   * Publishes again the SKUs of marks older than {@code grace} (longer than a change in flight
   * takes), then removes the marks; returns how many SKUs it published.
   */
  public Future<Integer> sweep(Duration grace) {
    return UnpublishedMarks.due(
            redis, RedisKeys.CATALOG_UNPUBLISHED, clock.millis() - grace.toMillis(), PAGE)
        .compose(
            page -> {
              Map<String, List<String>> bySku = page.byId();
              List<String> entries = bySku.values().stream().flatMap(List::stream).toList();
              Future<Integer> done =
                  publish(bySku.keySet())
                      .compose(published -> remove(entries))
                      .map(removed -> bySku.size())
                      .onSuccess(n -> republished.ifPresent(c -> c.increment(n)));
              return page.full() ? done.compose(n -> sweep(grace).map(more -> n + more)) : done;
            });
  }

  private Future<Optional<SkuState>> state(String sku) {
    return SkuRecords.fields(redis, sku, "price", "cur", "stock", "sold", "ver", "upd")
        .map(
            r ->
                r.get(0) == null
                    ? Optional.empty()
                    : Optional.of(
                        new SkuState(
                            sku,
                            r.get(4) == null ? 0 : Long.parseLong(r.get(4)),
                            Long.parseLong(r.get(0)),
                            r.get(1),
                            Long.parseLong(r.get(2)),
                            Long.parseLong(r.get(3)),
                            r.get(5) == null ? 0 : Long.parseLong(r.get(5)))));
  }

  private Future<Void> remove(List<String> entries) {
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    return UnpublishedMarks.remove(redis, RedisKeys.CATALOG_UNPUBLISHED, entries);
  }
}
