package com.cartgateway.cart;

import com.cartgateway.events.EventPublisher;
import com.cartgateway.events.Topics;
import com.cartgateway.store.CartRecords;
import com.cartgateway.store.IdleIndex;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.Scripts;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What follows a change of a cart: the idle index learns when the shopper last changed it (the
 * abandonment sweep reads it; an empty cart leaves it), and the first change after a reported
 * abandonment is announced on {@code cart.recovered}, once. The change itself is already applied; a
 * failure here is logged and healed later: the sweep checks every cart it finds, and a refused
 * announcement keeps its mark for the next change or sweep to announce.
 */
public final class CartActivity {
  private static final Logger LOG = Logger.getLogger(CartActivity.class.getName());

  private final RedisGateway redis;
  private final EventPublisher events;
  private final CartMetrics metrics;

  /**
   * @param redis the verticle's Redis client
   * @param events where cart.recovered goes
   * @param metrics where changed carts and announced recoveries are recorded
   */
  public CartActivity(RedisGateway redis, EventPublisher events, CartMetrics metrics) {
    this.redis = redis;
    this.events = events;
    this.metrics = metrics;
  }

  /** Records a change; completes with the cart whatever happens. */
  public Future<Cart> changed(Cart cart) {
    String cartId = cart.owner().cartId();
    metrics.changed(cart);
    Future<Void> indexed =
        cart.lines().isEmpty()
            ? IdleIndex.remove(redis, cartId)
            : IdleIndex.touch(redis, cartId, cart.shopperChangedAt());
    Future<Void> announced = announceRecovery(cart);
    return Future.join(indexed, announced)
        .transform(
            done -> {
              if (done.failed()) {
                LOG.log(
                    Level.WARNING, "after-change bookkeeping of " + cartId + ": " + done.cause());
              }
              return Future.succeededFuture(cart);
            });
  }

  /**
   * Announces the recovery the cart's state carries, if this caller is the one to take its mark:
   * only the caller whose HDEL removes it publishes, so concurrent writes (and a sweep) announce it
   * once. If Kafka refuses, the mark is put back, so that the next change of the cart, or the sweep
   * that finds it idle again, announces it; the returned future then fails.
   *
   * @param cart a cart state read after a change, with its pending recovery ({@code rec})
   * @return completes when announced, or when there was nothing for this caller to announce
   */
  public Future<Void> announceRecovery(Cart cart) {
    if (cart.recoveredAt() == 0) {
      return Future.succeededFuture();
    }
    String cartId = cart.owner().cartId();
    return CartRecords.takeRecoveryMark(redis, cartId)
        .compose(
            taken ->
                !taken
                    ? Future.succeededFuture()
                    : events
                        .publish(Topics.RECOVERED, cartId, recoveredEvent(cart))
                        .onSuccess(published -> metrics.recovered())
                        .recover(
                            refused ->
                                restore(cart).transform(done -> Future.failedFuture(refused))));
  }

  private Future<Void> restore(Cart cart) {
    String cartId = cart.owner().cartId();
    return Scripts.CART_ABANDON
        .call(redis, List.of(RedisKeys.cart(cartId)), List.of("restore_rec", cart.recoveredAt()))
        .onFailure(
            e ->
                LOG.log(
                    Level.WARNING,
                    "the recovery of " + cartId + " was not announced and its mark is lost: " + e))
        .mapEmpty();
  }

  private static JsonObject recoveredEvent(Cart cart) {
    String cartId = cart.owner().cartId();
    return new JsonObject()
        .put("cartId", cartId)
        .put(
            "owner", new JsonObject().put("type", cart.owner().type()).put("id", cart.owner().id()))
        .put("version", cart.version())
        .put("recoveredAt", Instant.ofEpochMilli(cart.recoveredAt()).toString());
  }
}
