package com.cartgateway.reconcile;

import com.cartgateway.cart.Cart;
import com.cartgateway.cart.CartJournal;
import com.cartgateway.cart.CartStore;
import com.cartgateway.identity.Owner;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.UnpublishedMarks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Brings Redis and {@code cart.events} back into agreement: an entry of the unpublished index older
 * than the grace period is a change whose event Kafka refused, or whose process died before
 * publishing it. The cart's current state is published (its version covers the missing one; the
 * worker ignores a version it already has), and only then do the entries go.
 */
public final class UnpublishedSweeper {
  private static final int PAGE = 200;

  private final RedisGateway redis;
  private final CartStore carts;
  private final CartJournal journal;
  private final Duration grace;
  private final Clock clock;
  private final Counter republished;

  /**
   * @param redis the verticle's Redis client
   * @param journal what publishes cart states
   * @param grace how old an entry must be: longer than any change in flight may take
   * @param clock the time source
   * @param registry where republished carts are counted
   */
  public UnpublishedSweeper(
      RedisGateway redis,
      CartJournal journal,
      Duration grace,
      Clock clock,
      MeterRegistry registry) {
    this.redis = redis;
    this.carts = new CartStore(redis);
    this.journal = journal;
    this.grace = grace;
    this.clock = clock;
    this.republished =
        Counter.builder("cart_events_republished")
            .description("Carts whose state was published again after a change missed cart.events")
            .register(registry);
  }

  /** Sweeps every shard once; returns how many carts were published again. */
  public Future<Integer> sweep() {
    long before = clock.millis() - grace.toMillis();
    Future<Integer> chain = Future.succeededFuture(0);
    for (int shard = 0; shard < RedisKeys.UNPUBLISHED_SHARDS; shard++) {
      String key = RedisKeys.unpublishedShard(shard);
      chain = chain.compose(sum -> sweepShard(key, before).map(n -> sum + n));
    }
    return chain;
  }

  private Future<Integer> sweepShard(String key, long before) {
    return UnpublishedMarks.due(redis, key, before, PAGE)
        .compose(
            page -> {
              Future<Integer> chain = Future.succeededFuture(0);
              for (Map.Entry<String, List<String>> cart : page.byId().entrySet()) {
                chain =
                    chain.compose(
                        sum -> republish(cart.getKey(), cart.getValue()).map(n -> sum + n));
              }
              return page.full()
                  ? chain.compose(sum -> sweepShard(key, before).map(n -> sum + n))
                  : chain;
            });
  }

  private Future<Integer> republish(String cartId, List<String> entries) {
    Owner owner;
    try {
      owner = Owner.ofCartId(cartId);
    } catch (IllegalArgumentException notACart) {
      return journal.remove(entries).map(0);
    }
    return carts
        .read(owner)
        .compose(
            cart -> {
              // A cart Redis does not have (a refused first change, or a flushed Redis) has no
              // state to tell: the log already holds everything acknowledged about it.
              Future<Integer> published =
                  cart.version() == 0
                      ? Future.succeededFuture(0)
                      : journal.publish(List.<Cart>of(cart)).map(1);
              return published.compose(n -> journal.remove(entries).map(n));
            })
        .onSuccess(republished::increment);
  }
}
