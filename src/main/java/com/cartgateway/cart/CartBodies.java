package com.cartgateway.cart;

import com.cartgateway.inventory.Price;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import java.util.Optional;

/**
 * Cart bodies as last rendered, by cart id, shared by the verticles of one process. A body is a
 * function of the stored cart, its lines' current prices and which holds are live, so one is served
 * again only for an equal cart (not merely the same version: a cart restored after a Redis loss
 * keeps its version but may hold less) and equal prices, until the first live hold lapses. Encoding
 * a cart is a tenth of a read's work, and most reads find nothing changed.
 */
public final class CartBodies {
  private record Rendered(
      Cart cart, Map<String, Optional<Price>> prices, long validUntil, Buffer body) {}

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

  /** The body rendered from this very cart and these prices, or null. */
  Buffer get(Cart cart, Map<String, Optional<Price>> prices, long nowMillis) {
    Rendered r = cache == null ? null : cache.getIfPresent(cart.owner().cartId());
    // A near-cache hit hands back the very cart that was rendered: no need to compare its lines.
    if (r == null
        || nowMillis >= r.validUntil()
        || (r.cart() != cart && !r.cart().equals(cart))
        || !r.prices().equals(prices)) {
      return null;
    }
    return r.body();
  }

  /** Keeps a body rendered from the cart and prices at {@code nowMillis}. */
  void put(Cart cart, Map<String, Optional<Price>> prices, long nowMillis, Buffer body) {
    if (cache == null) {
      return;
    }
    long validUntil = Long.MAX_VALUE;
    for (CartLine line : cart.lines()) {
      if (line.heldAt(nowMillis)) {
        validUntil = Math.min(validUntil, line.holdExpiresAt());
      }
    }
    cache.put(cart.owner().cartId(), new Rendered(cart, prices, validUntil, body));
  }
}
