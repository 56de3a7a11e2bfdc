package com.cartgateway.cart;

import com.cartgateway.commerce.CartLine;
import com.cartgateway.inventory.Price;
import com.cartgateway.inventory.PriceCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Cart bodies as last rendered, by cart id, shared by the verticles of one process. A body is a
 * function of the stored cart, its lines' current prices and which holds are live, so one is served
 * again only for an equal cart (not merely the same version: a cart restored after a Redis loss
 * keeps its version but may hold less) and equal prices, until the first live hold lapses. Encoding
 * a cart is a tenth of a read's work, and most reads find nothing changed. Comparing the prices
 * took another tenth, so a body also keeps the {@link PriceCache.Stamp} of its prices: while the
 * price cache says nothing it used has changed, the body is served without a price lookup.
 */
public final class CartBodies {
  private record Rendered(
      Cart cart,
      Map<String, Optional<Price>> prices,
      PriceCache.Stamp stamp,
      long validUntil,
      Buffer body) {}

  private final Cache<String, Rendered> cache;

  /**
   * @param maxBytes about the most memory kept (0 keeps nothing)
   * @param registry where the hit ratio is reported
   */
  public CartBodies(long maxBytes, MeterRegistry registry) {
    // Caffeine evicts after the put, so a zero weight alone would still serve for a moment.
    this.cache =
        maxBytes == 0
            ? null
            : Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                // The kept cart weighs about what its body does.
                .weigher((String id, Rendered r) -> 2 * r.body().length() + 2 * id.length())
                .recordStats()
                .build();
    if (cache != null) {
      CaffeineCacheMetrics.monitor(registry, cache, "cart_bodies");
    }
  }

  /**
   * The body rendered from this very cart, when the prices it was rendered with are still the
   * current ones without looking them up ({@code unchanged} says so of their stamp), or null.
   */
  Buffer get(Cart cart, long nowMillis, Predicate<PriceCache.Stamp> unchanged) {
    Rendered r = rendered(cart, nowMillis);
    return r != null && unchanged.test(r.stamp()) ? r.body() : null;
  }

  /**
   * The body rendered from this very cart and these prices, or null. A hit renews the kept body's
   * stamp, so that the next read may skip the price lookup again.
   */
  Buffer get(Cart cart, PriceCache.Prices prices, long nowMillis) {
    Rendered r = rendered(cart, nowMillis);
    if (r == null || !r.prices().equals(prices.bySku())) {
      return null;
    }
    if (!r.stamp().equals(prices.stamp())) {
      cache.put(
          cart.owner().cartId(),
          new Rendered(r.cart(), r.prices(), prices.stamp(), r.validUntil(), r.body()));
    }
    return r.body();
  }

  private Rendered rendered(Cart cart, long nowMillis) {
    Rendered r = cache == null ? null : cache.getIfPresent(cart.owner().cartId());
    // A near-cache hit hands back the very cart that was rendered: no need to compare its lines.
    return r == null || nowMillis >= r.validUntil() || (r.cart() != cart && !r.cart().equals(cart))
        ? null
        : r;
  }

  /** Keeps a body rendered from the cart and prices at {@code nowMillis}. */
  void put(Cart cart, PriceCache.Prices prices, long nowMillis, Buffer body) {
    if (cache == null) {
      return;
    }
    long validUntil = Long.MAX_VALUE;
    for (CartLine line : cart.lines()) {
      if (line.heldAt(nowMillis)) {
        validUntil = Math.min(validUntil, line.holdExpiresAt());
      }
    }
    cache.put(
        cart.owner().cartId(),
        new Rendered(cart, prices.bySku(), prices.stamp(), validUntil, body));
  }
}
