package com.cartgateway.inventory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Current prices for cart reads, shared by the verticles of one process, so that a cart read needs
 * one Redis command. An entry lives {@code cart.priceCacheMillis} (1 s by default); a catalog
 * change through this process clears it at once, one through another process shows within that
 * time. Checkout never trusts it: it reprices from Redis.
 *
 * <p>A lookup also gives a {@link Stamp}: as long as it is {@link #unchanged}, the same lookup
 * would give the same prices, so that a body rendered from them may be served again without looking
 * each price up (a tenth of a near-cache read did). The stamp ends when its oldest entry would
 * expire, and at once when any entry is dropped early or takes another price.
 */
public final class PriceCache {
  /**
   * What a lookup's prices depend on.
   *
   * @param generation the cache's count of early drops and changed prices when the lookup began
   * @param freshUntilNanos when the oldest entry the lookup used expires (ticker time)
   */
  public record Stamp(long generation, long freshUntilNanos) {}

  /**
   * Prices of some SKUs and what they depend on.
   *
   * @param bySku each SKU's price, empty when it is not sold
   * @param stamp while {@linkplain #unchanged unchanged}, the same call gives the same prices
   */
  public record Prices(Map<String, Optional<Price>> bySku, Stamp stamp) {}

  private record Entry(Optional<Price> price, long loadedAtNanos) {}

  private final Cache<String, Entry> cache;
  private final Ticker ticker;
  private final long ttlNanos;
  // Expiry needs no count: a stamp ends with its oldest entry anyway.
  private final AtomicLong generation = new AtomicLong();

  /**
   * @param ttl how long an entry may be served
   * @param registry where the hit ratio is reported
   */
  public PriceCache(Duration ttl, MeterRegistry registry) {
    this(ttl, registry, Ticker.systemTicker(), 200_000, ForkJoinPool.commonPool());
  }

  PriceCache(
      Duration ttl, MeterRegistry registry, Ticker ticker, long maximumSize, Executor executor) {
    this.ticker = ticker;
    this.ttlNanos = ttl.toNanos();
    this.cache =
        Caffeine.newBuilder()
            .ticker(ticker)
            .executor(executor)
            .expireAfterWrite(ttl)
            .maximumSize(maximumSize)
            .evictionListener(
                (String sku, Entry entry, RemovalCause cause) -> {
                  if (cause != RemovalCause.EXPIRED) {
                    generation.incrementAndGet();
                  }
                })
            .recordStats()
            .build();
    CaffeineCacheMetrics.monitor(registry, cache, "prices");
  }

  /**
   * The cached prices of some SKUs (empty inside when a SKU is known to be absent).
   *
   * @param found the prices the cache has
   * @param missing the SKUs it lacks, to be read and {@linkplain #keep kept}
   * @param stamp what the found prices depend on
   */
  record Lookup(Map<String, Optional<Price>> found, List<String> missing, Stamp stamp) {}

  Lookup lookup(Collection<String> skus) {
    long generationAtStart = generation.get();
    long freshUntil = Long.MAX_VALUE;
    Map<String, Optional<Price>> found = new HashMap<>();
    List<String> missing = new ArrayList<>(0);
    for (String sku : skus) {
      Entry entry = cache.getIfPresent(sku);
      if (entry == null) {
        missing.add(sku);
      } else {
        found.put(sku, entry.price());
        freshUntil = Math.min(freshUntil, entry.loadedAtNanos() + ttlNanos);
      }
    }
    return new Lookup(found, missing, new Stamp(generationAtStart, freshUntil));
  }

  /**
   * Keeps prices just read from Redis.
   *
   * @param stamp the stamp of the lookup that missed them
   * @return that stamp, ending one lifetime from now at the latest
   */
  Stamp keep(Map<String, Optional<Price>> loaded, Stamp stamp) {
    long now = ticker.read();
    loaded.forEach(
        (sku, price) -> {
          Entry previous = cache.asMap().put(sku, new Entry(price, now));
          if (previous != null && !previous.price().equals(price)) {
            generation.incrementAndGet();
          }
        });
    return new Stamp(stamp.generation(), Math.min(stamp.freshUntilNanos(), now + ttlNanos));
  }

  /** Whether a lookup now would give the same prices as the one that made {@code stamp}. */
  public boolean unchanged(Stamp stamp) {
    return generation.get() == stamp.generation() && ticker.read() < stamp.freshUntilNanos();
  }

  /** Forgets one SKU, after a catalog change. */
  public void invalidate(String sku) {
    cache.invalidate(sku);
    generation.incrementAndGet();
  }
}
