package com.cartgateway.cart;

import com.cartgateway.durability.JournalCodec;
import com.cartgateway.events.CartEvent;
import com.cartgateway.events.Topics;
import com.cartgateway.identity.Owner;
import com.cartgateway.store.CartRecords;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.IntStream;

/**
 * How the journal keeps carts: marks in the sharded unpublished index, the state on {@code
 * cart.events} keyed by cart id, and the cart kept hot after each published change.
 */
final class CartCodec implements JournalCodec<Cart> {
  private static final Logger LOG = Logger.getLogger(CartCodec.class.getName());
  private static final List<String> SHARDS =
      IntStream.range(0, RedisKeys.UNPUBLISHED_SHARDS)
          .mapToObj(RedisKeys::unpublishedShard)
          .toList();

  private final RedisGateway redis;
  private final CartStore carts;
  private final Duration hotIdle;

  /**
   * @param redis the verticle's Redis client
   * @param hotIdle how long Redis keeps a cart after its last change
   */
  CartCodec(RedisGateway redis, Duration hotIdle) {
    this.redis = redis;
    this.carts = new CartStore(redis);
    this.hotIdle = hotIdle;
  }

  @Override
  public String topic() {
    return Topics.CART_EVENTS;
  }

  @Override
  public String kind() {
    return "Carts";
  }

  @Override
  public String marksOf(String cartId) {
    return RedisKeys.unpublishedShardOf(cartId);
  }

  @Override
  public List<String> markSets() {
    return SHARDS;
  }

  /** The cart as Redis has it; empty for a cart Redis lacks, or an id that names no cart. */
  @Override
  public Future<Optional<Cart>> read(String cartId) {
    Owner owner;
    try {
      owner = Owner.ofCartId(cartId);
    } catch (IllegalArgumentException notACart) {
      return Future.succeededFuture(Optional.empty());
    }
    return carts
        .read(owner)
        .map(cart -> cart.version() == 0 ? Optional.<Cart>empty() : Optional.of(cart));
  }

  @Override
  public String key(Cart cart) {
    return cart.owner().cartId();
  }

  @Override
  public JsonObject encode(Cart cart) {
    return toEvent(cart);
  }

  /** Redis keeps a cart for the hot-set idle time after its last change; DynamoDB keeps it. */
  @Override
  public void published(List<String> cartIds) {
    for (String cartId : cartIds) {
      CartRecords.expireAfter(redis, cartId, hotIdle)
          .onFailure(e -> LOG.log(Level.FINE, "idle expiry of " + cartId + " not set", e));
    }
  }

  /** The {@code cart.events} value of a cart state. */
  static JsonObject toEvent(Cart cart) {
    return new CartEvent(
            cart.owner().cartId(),
            cart.owner(),
            cart.version(),
            cart.updatedAt(),
            cart.currency(),
            cart.lines())
        .toJson();
  }
}
