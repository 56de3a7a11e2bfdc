package com.cartgateway.durability;

import com.cartgateway.commerce.CartException;
import com.cartgateway.events.EventPublisher;
import com.cartgateway.identity.IdentityException;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.StoreUnavailableException;
import com.cartgateway.store.UnpublishedMarks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes every change of a durable state (a cart, a SKU) durable before it is acknowledged: the
 * whole state after the change goes to its topic ({@code acks=all}), and only then may the caller
 * answer 2xx.
 *
 * <p>Redis and the log are kept in agreement by publishing again, never by rolling back (a rollback
 * would race with the next change and with holds already moved). Before a change, a mark {@code
 * <id> <nonce>} scored by the time goes into a sorted set of unpublished marks ({@link
 * UnpublishedMarks}); once the state is in Kafka, or the change was refused, the mark goes. A mark
 * that outlives the grace period (longer than any change in flight) means a change whose event may
 * be missing (Kafka refused it, or the process died in between): the timer role's {@link #sweep}
 * then publishes the current state, whose version covers the lost one. When Kafka refuses, the
 * caller gets 503 with {@code Retry-After}; the change stays applied. Each change has its own mark,
 * so concurrent changes of one key never clear each other's. While the Kafka circuit is open a
 * change is refused (503) before it starts. States are absolute and versioned, so publishing one
 * twice, or late, changes nothing downstream.
 *
 * @param <S> the state: what the codec reads from Redis and encodes for the topic
 */
public final class Journal<S> {
  private static final Logger LOG = Logger.getLogger(Journal.class.getName());
  private static final int PAGE = 200;

  private final RedisGateway redis;
  private final EventPublisher events;
  private final Clock clock;
  private final JournalCodec<S> codec;
  private final Optional<Counter> republished;

  /**
   * @param redis the verticle's Redis client
   * @param events the verticle's Kafka publisher
   * @param clock the time of the marks
   * @param codec what is journalled, and how
   * @param registry where the timer role counts what its sweep publishes again ({@code
   *     <topic>_republished}; absent elsewhere)
   */
  public Journal(
      RedisGateway redis,
      EventPublisher events,
      Clock clock,
      JournalCodec<S> codec,
      Optional<MeterRegistry> registry) {
    this.redis = redis;
    this.events = events;
    this.clock = clock;
    this.codec = codec;
    this.republished =
        registry.map(
            r ->
                Counter.builder(codec.topic().replace('.', '_') + "_republished")
                    .description(
                        codec.kind()
                            + " whose state was published again after a change missed "
                            + codec.topic())
                    .register(r));
  }

  /**
   * Runs a change and publishes the states it left. {@code before} (a first read on the keys'
   * slots) goes beside the marks, in one round trip; {@code alongside} (what follows the change but
   * need not wait for its event) goes beside the publish.
   *
   * @param ids the keys the change may touch
   * @param before what the change reads first; a failure refuses the change
   * @param change the change, given what {@code before} read; a {@link CartException} or {@link
   *     IdentityException} means it was refused and nothing changed
   * @param states the states after the change (read again if need be: a later state covers it)
   * @return the change's result, once its states are in Kafka and {@code alongside} is done; a
   *     change applied but not published fails as unavailable, and its marks stay for the sweep
   */
  public <B, T> Future<T> record(
      Collection<String> ids,
      Supplier<Future<B>> before,
      Function<B, Future<T>> change,
      Function<T, Future<List<S>>> states,
      Function<T, Future<?>> alongside) {
    if (events.circuitOpen()) {
      // Refused before anything changes, rather than applied and left to the sweep.
      return Future.failedFuture(EventPublisher.circuitOpenFailure());
    }
    List<String> keys = List.copyOf(new LinkedHashSet<>(ids));
    List<String> marks = keys.stream().map(UnpublishedMarks::mark).toList();
    // Both before the change, independent of each other: one round trip on a write, not two.
    Future<B> read = before.get();
    Future<Void> marked = add(marks);
    return Future.join(read, marked)
        .recover(
            failure -> {
              if (marked.succeeded()) {
                // nothing will change: a mark would only make the sweep publish for nothing
                removeQuietly(marks);
              }
              return Future.failedFuture(read.failed() ? read.cause() : marked.cause());
            })
        .compose(
            added ->
                change
                    .apply(read.result())
                    .recover(failure -> refused(failure) ? forget(marks, failure) : outage(failure))
                    .compose(
                        result -> {
                          Future<?> beside = alongside.apply(result);
                          return states
                              .apply(result)
                              .compose(this::publish)
                              .onSuccess(
                                  published -> {
                                    removeQuietly(marks);
                                    codec.published(keys);
                                  })
                              .compose(published -> beside)
                              .map(result);
                        }));
  }

  /**
   * Runs a change of some keys and publishes their current states from Redis.
   *
   * @see #record(Collection, Supplier, Function, Function, Function)
   */
  public <T> Future<T> record(Collection<String> ids, Supplier<Future<T>> change) {
    if (ids.isEmpty()) {
      return change.get();
    }
    return record(
        ids,
        Future::succeededFuture,
        ignored -> change.get(),
        result -> current(ids),
        result -> Future.succeededFuture());
  }

  /** Publishes states; a refusal by Kafka is an outage (503 with Retry-After). */
  public Future<Void> publish(List<S> states) {
    List<Future<?>> published = new ArrayList<>(states.size());
    for (S state : states) {
      published.add(events.publish(codec.topic(), codec.key(state), codec.encode(state)));
    }
    return Future.all(published)
        .<Void>mapEmpty()
        .recover(e -> Future.failedFuture(new StoreUnavailableException("kafka", e)));
  }

  /** Publishes the current state of each key Redis has. */
  public Future<Void> publishCurrent(Collection<String> ids) {
    List<Future<Void>> sent = new ArrayList<>();
    for (String id : new LinkedHashSet<>(ids)) {
      sent.add(
          codec
              .read(id)
              .compose(
                  state ->
                      state.isEmpty()
                          ? Future.succeededFuture()
                          : events.publish(
                              codec.topic(), codec.key(state.get()), codec.encode(state.get()))));
    }
    return Future.all(sent).mapEmpty();
  }

  /**
   * Publishes again the current state of each key with a mark older than {@code grace}, then
   * removes its marks; returns how many states it published.
   */
  public Future<Integer> sweep(Duration grace) {
    long before = clock.millis() - grace.toMillis();
    Future<Integer> chain = Future.succeededFuture(0);
    for (String set : codec.markSets()) {
      chain = chain.compose(sum -> sweep(set, before).map(n -> sum + n));
    }
    return chain.onSuccess(n -> republished.ifPresent(c -> c.increment(n)));
  }

  private Future<Integer> sweep(String set, long before) {
    return UnpublishedMarks.due(redis, set, before, PAGE)
        .compose(
            page -> {
              Future<Integer> chain = Future.succeededFuture(0);
              for (Map.Entry<String, List<String>> id : page.byId().entrySet()) {
                chain =
                    chain.compose(sum -> republish(id.getKey(), id.getValue()).map(n -> sum + n));
              }
              return page.full()
                  ? chain.compose(sum -> sweep(set, before).map(n -> sum + n))
                  : chain;
            });
  }

  private Future<Integer> republish(String id, List<String> marks) {
    // A key Redis does not have (a refused first change, or a flushed Redis) has no state to
    // tell: the log already holds everything acknowledged about it.
    return codec
        .read(id)
        .compose(
            state ->
                state.isEmpty() ? Future.succeededFuture(0) : publish(List.of(state.get())).map(1))
        .compose(n -> remove(marks).map(n));
  }

  private Future<List<S>> current(Collection<String> ids) {
    List<Future<Optional<S>>> reads = new ArrayList<>();
    for (String id : new LinkedHashSet<>(ids)) {
      reads.add(codec.read(id));
    }
    return Future.all(reads)
        .map(
            read -> {
              List<S> states = new ArrayList<>(reads.size());
              reads.forEach(state -> state.result().ifPresent(states::add));
              return states;
            });
  }

  private Future<Void> add(List<String> marks) {
    long now = clock.millis();
    List<Future<?>> added = new ArrayList<>();
    bySet(marks).forEach((set, some) -> added.add(UnpublishedMarks.add(redis, set, now, some)));
    return Future.all(added).mapEmpty();
  }

  /** Removes marks whose changes are published (or were refused). */
  private Future<Void> remove(List<String> marks) {
    List<Future<?>> removed = new ArrayList<>();
    bySet(marks).forEach((set, some) -> removed.add(UnpublishedMarks.remove(redis, set, some)));
    return Future.all(removed).mapEmpty();
  }

  private Map<String, List<String>> bySet(List<String> marks) {
    Map<String, List<String>> bySet = new LinkedHashMap<>();
    for (String mark : marks) {
      bySet
          .computeIfAbsent(codec.marksOf(UnpublishedMarks.idOf(mark)), set -> new ArrayList<>())
          .add(mark);
    }
    return bySet;
  }

  private static boolean refused(Throwable failure) {
    return failure instanceof CartException || failure instanceof IdentityException;
  }

  private <T> Future<T> forget(List<String> marks, Throwable refusal) {
    removeQuietly(marks);
    return Future.failedFuture(refusal);
  }

  /** After an outage nobody knows whether the change applied: the mark stays for the sweep. */
  private static <T> Future<T> outage(Throwable failure) {
    return Future.failedFuture(failure);
  }

  /** A mark that could not be removed only costs a redundant event later. */
  private void removeQuietly(List<String> marks) {
    remove(marks).onFailure(e -> LOG.log(Level.FINE, "unpublished marks left to the sweep", e));
  }
}
