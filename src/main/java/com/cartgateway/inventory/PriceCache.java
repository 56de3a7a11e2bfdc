package com.cartgateway.inventory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Duration;
import java.util.Optional;

/**
 * Current prices for cart reads, shared by the verticles of one process, so that a cart read needs
 * one Redis command. An entry lives {@code cart.priceCacheMillis} (1 s by default); a catalog
 * change through this process clears it at once, one through another process shows within that
 * time. Checkout never trusts it: it reprices from Redis.
 */
public final class PriceCache {
  private final Cache<String, Optional<Price>> cache;

  /**
   * @param ttl how long an entry may be served
   * @param registry where the hit ratio is reported
   */
  public PriceCache(Duration ttl, MeterRegistry registry) {
    this.cache =
        Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(200_000).recordStats().build();
    CaffeineCacheMetrics.monitor(registry, cache, "prices");
  }

  /** The cached price (empty inside when the SKU is known to be absent), or null on a miss. */
  Optional<Price> get(String sku) {
    return cache.getIfPresent(sku);
  }

  void put(String sku, Optional<Price> price) {
    cache.put(sku, price);
  }

  /** Forgets one SKU, after a catalog change. */
  public void invalidate(String sku) {
    cache.invalidate(sku);
  }
}
