package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.events.CartEvent;
import com.cartgateway.events.EventPublisher;
import com.cartgateway.events.Topics;
import com.cartgateway.identity.IdentityException;
import com.cartgateway.identity.Owner;
import com.cartgateway.store.CartRecords;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.StoreUnavailableException;
import com.cartgateway.store.UnpublishedMarks;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes every cart change durable before it is acknowledged: the cart's full state after the change
 * goes to {@code cart.events} (key = cart id, {@code acks=all}), and only then may the caller
 * answer 2xx.
 *
 * <p>Redis and the log are kept in agreement by republishing, never by rolling back (a rollback
 * would race with the shopper's next change and with holds already moved). Before a change, an
 * entry {@code <cart id> <nonce>} scored by the time goes into the unpublished index; once the
 * event is in Kafka, or the change was refused, that entry goes. An entry that outlives the request
 * deadline means a change whose event may be missing (Kafka refused it, or the process died in
 * between): the timer role's {@code UnpublishedSweeper} then publishes the cart's current state,
 * whose version covers the lost one. When Kafka refuses, the caller gets 503 with {@code
 * Retry-After}; the change stays applied, so a retry under the same {@code Idempotency-Key} or a
 * read shows it. Each change has its own entry, so concurrent changes of one cart never clear each
 * other's. While the Kafka circuit is open a change is refused (503) before it starts.
 */
public final class CartJournal {
  private static final Logger LOG = Logger.getLogger(CartJournal.class.getName());

  private final RedisGateway redis;
  private final EventPublisher events;
  private final Clock clock;
  private final Optional<CartRebuilder> rebuilder;
  private final Duration hotIdle;

  /**
   * @param redis the verticle's Redis client
   * @param events the verticle's Kafka publisher
   * @param clock the time source of the entries
   * @param rebuilder what brings back a cart Redis lacks before a change (none for the timer's
   *     lapses, which leave a missing cart alone)
   * @param hotIdle how long Redis keeps a cart after its last change
   */
  public CartJournal(
      RedisGateway redis,
      EventPublisher events,
      Clock clock,
      Optional<CartRebuilder> rebuilder,
      Duration hotIdle) {
    this.redis = redis;
    this.events = events;
    this.clock = clock;
    this.rebuilder = rebuilder;
    this.hotIdle = hotIdle;
  }

  /**
   * Runs a change of one cart and publishes the state it left. Its first step on the cart's slot,
   * {@code before}, takes the place of the journal's own check that Redis has the cart, so that it
   * goes beside the unpublished mark in one round trip; {@code alongside} (what follows the change
   * but need not wait for its event, such as the idle index) goes beside the publish.
   *
   * @param owner whose cart changes
   * @param before what the change reads first (and its rate-limit token): it must bring back a cart
   *     Redis lacks, as {@link CartRebuilder#bringBack} does; a failure refuses the change
   * @param change the change, given what {@code before} read; a {@link CartException} or {@link
   *     IdentityException} means it was refused and nothing changed
   * @param state the cart after the change, from the change's result
   * @return the change's result, once its event is in Kafka and {@code alongside} is done
   */
  public <B, T> Future<T> record(
      Owner owner,
      Supplier<Future<B>> before,
      Function<B, Future<T>> change,
      Function<T, Cart> state,
      Function<T, Future<?>> alongside) {
    return recordAll(
        List.of(owner.cartId()),
        before,
        change,
        result -> Future.succeededFuture(List.of(state.apply(result))),
        alongside);
  }

  /**
   * Runs a change of several carts (a merge: the shopper's and the guest's), or one whose result is
   * not the cart (a checkout), and publishes the state of each cart it touched.
   *
   * @param cartIds the carts the change may touch
   * @param change the change
   * @param states the carts after the change (read again if need be: a later state covers it)
   * @return the change's result, once the events are in Kafka
   */
  public <T> Future<T> recordAll(
      List<String> cartIds, Supplier<Future<T>> change, Function<T, Future<List<Cart>>> states) {
    return recordAll(
        cartIds,
        () -> beforeWrite(cartIds),
        ignored -> change.get(),
        states,
        result -> Future.succeededFuture());
  }

  private Future<Void> beforeWrite(List<String> cartIds) {
    return rebuilder.map(r -> r.beforeWrite(cartIds)).orElse(Future.succeededFuture());
  }

  private <B, T> Future<T> recordAll(
      List<String> cartIds,
      Supplier<Future<B>> before,
      Function<B, Future<T>> change,
      Function<T, Future<List<Cart>>> states,
      Function<T, Future<?>> alongside) {
    if (events.circuitOpen()) {
      // Refused before anything changes, rather than applied and left to the sweeper.
      return Future.failedFuture(EventPublisher.circuitOpenFailure());
    }
    List<String> entries = cartIds.stream().map(UnpublishedMarks::mark).toList();
    // Both before the change, independent of each other: one round trip on a write, not two.
    Future<B> hot = before.get();
    Future<Void> marked = add(entries);
    return Future.join(hot, marked)
        .recover(
            failure -> {
              if (marked.succeeded()) {
                // nothing will change: a mark would only make the timer publish for nothing
                removeQuietly(entries);
              }
              return Future.failedFuture(hot.failed() ? hot.cause() : marked.cause());
            })
        .compose(
            added ->
                change
                    .apply(hot.result())
                    .recover(
                        failure -> refused(failure) ? forget(entries, failure) : outage(failure))
                    .compose(
                        result -> {
                          Future<?> beside = alongside.apply(result);
                          return states
                              .apply(result)
                              .compose(carts -> publish(carts))
                              .onSuccess(
                                  published -> {
                                    removeQuietly(entries);
                                    keepHot(cartIds);
                                  })
                              .compose(published -> beside)
                              .map(result);
                        }));
  }

  /** The {@code cart.events} value of a cart state. */
  public static JsonObject toEvent(Cart cart) {
    List<CartEvent.Line> lines = new ArrayList<>(cart.lines().size());
    for (CartLine line : cart.lines()) {
      lines.add(
          new CartEvent.Line(
              line.sku(),
              line.quantity(),
              line.unitPrice(),
              line.addedAt(),
              line.updatedAt(),
              line.held(),
              line.holdExpiresAt(),
              line.variant()));
    }
    return new CartEvent(
            cart.owner().cartId(),
            new CartEvent.Owner(cart.owner().type(), cart.owner().id()),
            cart.version(),
            cart.updatedAt(),
            cart.currency(),
            lines)
        .toJson();
  }

  /** Publishes cart states; a refusal by Kafka is an outage (503 with Retry-After). */
  public Future<Void> publish(List<Cart> carts) {
    List<Future<?>> published = new ArrayList<>(carts.size());
    for (Cart cart : carts) {
      published.add(events.publish(Topics.CART_EVENTS, cart.owner().cartId(), toEvent(cart)));
    }
    return Future.all(published)
        .<Void>mapEmpty()
        .recover(e -> Future.failedFuture(new StoreUnavailableException("kafka", e)));
  }

  /** Removes entries whose changes are published (or were refused). */
  public Future<Void> remove(List<String> entries) {
    List<Future<?>> removed = new ArrayList<>(entries.size());
    for (String entry : entries) {
      removed.add(UnpublishedMarks.removeFromShard(redis, entry));
    }
    return Future.all(removed).mapEmpty();
  }

  private Future<Void> add(List<String> entries) {
    List<Future<?>> added = new ArrayList<>(entries.size());
    long now = clock.millis();
    for (String entry : entries) {
      added.add(UnpublishedMarks.addToShard(redis, now, entry));
    }
    return Future.all(added).mapEmpty();
  }

  private static boolean refused(Throwable failure) {
    return failure instanceof CartException || failure instanceof IdentityException;
  }

  private <T> Future<T> forget(List<String> entries, Throwable refusal) {
    removeQuietly(entries);
    return Future.failedFuture(refusal);
  }

  /** After an outage nobody knows whether the change applied: the entry stays for the sweeper. */
  private static <T> Future<T> outage(Throwable failure) {
    return Future.failedFuture(failure);
  }

  /** Redis keeps a cart for the hot-set idle time after its last change; DynamoDB keeps it. */
  private void keepHot(List<String> cartIds) {
    for (String cartId : cartIds) {
      CartRecords.expireAfter(redis, cartId, hotIdle)
          .onFailure(e -> LOG.log(Level.FINE, "idle expiry of " + cartId + " not set", e));
    }
  }

  /** An entry that could not be removed only costs a redundant event later. */
  private void removeQuietly(List<String> entries) {
    remove(entries)
        .onFailure(e -> LOG.log(Level.FINE, "unpublished entries left to the sweeper", e));
  }
}
