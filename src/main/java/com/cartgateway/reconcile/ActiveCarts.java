package com.cartgateway.reconcile;

import com.cartgateway.store.IdleIndex;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code cart_active_carts}: carts with lines that their shopper changed within the abandonment
 * time and that are not reported abandoned, i.e. the size of the idle index, which every change
 * keeps already. The timer role samples it with one ZCARD a shard on each abandonment sweep, so it
 * costs no request anything and scans no key. Every timer process reports the same number (the
 * index is shared): aggregate with {@code max}. NaN until the first sample and after a failed one,
 * so that a panel shows a gap rather than an old figure.
 */
final class ActiveCarts {
  private final RedisGateway redis;
  private volatile double active = Double.NaN;

  /**
   * @param redis the verticle's Redis client
   * @param registry where the gauge goes
   */
  ActiveCarts(RedisGateway redis, MeterRegistry registry) {
    this.redis = redis;
    Gauge.builder("cart_active_carts", this, carts -> carts.active)
        .description(
            "Carts with lines changed by their shopper within the abandonment time, not reported"
                + " abandoned (the idle index), as of the timer role's last sample")
        .register(registry);
  }

  /** Reads the size of every shard of the idle index. */
  Future<Long> sample() {
    List<Future<Long>> shards = new ArrayList<>(RedisKeys.IDLE_SHARDS);
    for (int shard = 0; shard < RedisKeys.IDLE_SHARDS; shard++) {
      shards.add(IdleIndex.size(redis, RedisKeys.idleShard(shard)));
    }
    return Future.all(shards)
        .map(all -> shards.stream().mapToLong(Future::result).sum())
        .onSuccess(sum -> active = sum)
        .onFailure(e -> active = Double.NaN);
  }
}
