package com.cartgateway.cart;

import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.sync.EventPublisher;
import com.cartgateway.sync.Topics;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What follows a change of a cart: the idle index learns when the shopper last changed it (the
 * abandonment sweep reads it; an empty cart leaves it), and the first change after a reported
 * abandonment is announced on {@code cart.recovered}, once. The change itself is already applied; a
 * failure here is logged and healed by the sweep, which checks every cart it finds.
 */
public final class CartActivity {
  private static final Logger LOG = Logger.getLogger(CartActivity.class.getName());

  private final RedisGateway redis;
  private final EventPublisher events;

  /**
   * @param redis the verticle's Redis client
   * @param events where cart.recovered goes
   */
  public CartActivity(RedisGateway redis, EventPublisher events) {
    this.redis = redis;
    this.events = events;
  }

  /** Records a change; completes with the cart whatever happens. */
  public Future<Cart> changed(Cart cart) {
    String cartId = cart.owner().cartId();
    Request index =
        cart.lines().isEmpty()
            ? Request.cmd(Command.ZREM).arg(RedisKeys.idleShardOf(cartId)).arg(cartId)
            : Request.cmd(Command.ZADD)
                .arg(RedisKeys.idleShardOf(cartId))
                .arg(cart.shopperChangedAt())
                .arg(cartId);
    Future<Void> indexed = redis.send(index).mapEmpty();
    Future<Void> announced = cart.recoveredAt() == 0 ? Future.succeededFuture() : recovered(cart);
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

  /** Only the write that removes the mark announces it, so concurrent writes announce it once. */
  private Future<Void> recovered(Cart cart) {
    String cartId = cart.owner().cartId();
    return redis
        .send(Request.cmd(Command.HDEL).arg(RedisKeys.cart(cartId)).arg("rec"))
        .compose(
            removed ->
                removed.toInteger() == 0
                    ? Future.succeededFuture()
                    : events.publish(
                        Topics.RECOVERED,
                        cartId,
                        new JsonObject()
                            .put("cartId", cartId)
                            .put(
                                "owner",
                                new JsonObject()
                                    .put("type", cart.owner().type())
                                    .put("id", cart.owner().id()))
                            .put("version", cart.version())
                            .put(
                                "recoveredAt",
                                Instant.ofEpochMilli(cart.recoveredAt()).toString())));
  }
}
