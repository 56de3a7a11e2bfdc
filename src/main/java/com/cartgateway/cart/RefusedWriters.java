package com.cartgateway.cart;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;

/**
 * The carts whose writers this process was refused a rate-limit token, each kept until its token is
 * back, so that their next adds take the token before any hold (a stream of 429s then moves no
 * stock). One per process: a writer's connections may reach any of its verticles.
 */
public final class RefusedWriters {
  private static final int MOST = 100_000;

  /** Cart id to the milliseconds its writer had to wait, which is how long the entry lives. */
  private final Cache<String, Long> refused =
      Caffeine.newBuilder()
          .maximumSize(MOST)
          .expireAfter(Expiry.creating((String cartId, Long wait) -> Duration.ofMillis(wait)))
          .build();

  /** Remembers that the cart's writer has no token for {@code waitMillis}. */
  public void refused(String cartId, long waitMillis) {
    refused.put(cartId, waitMillis);
  }

  /** Whether the cart's writer was refused and its token is not back yet. */
  public boolean refused(String cartId) {
    return refused.getIfPresent(cartId) != null;
  }
}
