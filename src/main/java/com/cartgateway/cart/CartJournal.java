package com.cartgateway.cart;

import com.cartgateway.durability.Journal;
import com.cartgateway.events.EventPublisher;
import com.cartgateway.identity.Owner;
import com.cartgateway.store.RedisGateway;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The journal of carts ({@link Journal} with {@link CartCodec}): every cart change is on {@code
 * cart.events} before it is acknowledged, and a cart Redis lacks is brought back before a change.
 */
public final class CartJournal {
  private final Journal<Cart> journal;
  private final Optional<CartRebuilder> rebuilder;

  /**
   * @param redis the verticle's Redis client
   * @param events the verticle's Kafka publisher
   * @param clock the time source of the marks
   * @param rebuilder what brings back a cart Redis lacks before a change (none for the timer's
   *     lapses, which leave a missing cart alone)
   * @param hotIdle how long Redis keeps a cart after its last change
   * @param registry where the timer role counts the carts its sweep publishes again (absent
   *     elsewhere)
   */
  public CartJournal(
      RedisGateway redis,
      EventPublisher events,
      Clock clock,
      Optional<CartRebuilder> rebuilder,
      Duration hotIdle,
      Optional<MeterRegistry> registry) {
    this.journal = new Journal<>(redis, events, clock, new CartCodec(redis, hotIdle), registry);
    this.rebuilder = rebuilder;
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
   * @param change the change, given what {@code before} read; a {@link
   *     com.cartgateway.commerce.CartException} or {@link
   *     com.cartgateway.identity.IdentityException} means it was refused and nothing changed
   * @param state the cart after the change, from the change's result
   * @return the change's result, once its event is in Kafka and {@code alongside} is done
   */
  public <B, T> Future<T> record(
      Owner owner,
      Supplier<Future<B>> before,
      Function<B, Future<T>> change,
      Function<T, Cart> state,
      Function<T, Future<?>> alongside) {
    return journal.record(
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
    return journal.record(
        cartIds,
        () -> rebuilder.map(r -> r.beforeWrite(cartIds)).orElse(Future.succeededFuture()),
        ignored -> change.get(),
        states,
        result -> Future.succeededFuture());
  }

  /** Publishes cart states; a refusal by Kafka is an outage (503 with Retry-After). */
  public Future<Void> publish(List<Cart> carts) {
    return journal.publish(carts);
  }

  /**
   * Publishes again the carts of marks older than {@code grace} (longer than a change in flight
   * takes), then removes the marks; returns how many carts it published.
   */
  public Future<Integer> sweep(Duration grace) {
    return journal.sweep(grace);
  }
}
