package com.cartgateway.http;

import com.cartgateway.config.AppConfig;
import com.cartgateway.store.LuaScript;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;

/**
 * Token buckets in Redis, per identity (user, guest session, or client address) and kind (reads,
 * writes): {@code rate} requests a second with bursts up to twice that. A rate of 0 turns a kind
 * off. Buckets are shared by every gateway process, so the limit holds across the fleet.
 */
final class RateLimiter {
  static final List<LuaScript> SCRIPTS = List.of(LuaScript.load("rate_limit"));

  /** The kinds of request, each with its own bucket. */
  enum Kind {
    READS,
    WRITES
  }

  private final RedisGateway redis;
  private final AppConfig.RateLimit limits;
  private final Clock clock;

  RateLimiter(RedisGateway redis, AppConfig.RateLimit limits, Clock clock) {
    this.redis = redis;
    this.limits = limits;
    this.clock = clock;
  }

  /** Takes a token for the identity, or fails with a 429 naming when to retry. */
  Future<Void> take(String identity, Kind kind) {
    int rate = kind == Kind.READS ? limits.readsPerSecond() : limits.writesPerSecond();
    if (rate == 0) {
      return Future.succeededFuture();
    }
    return redis
        .eval(
            SCRIPTS.get(0),
            List.of(RedisKeys.rateLimit(identity, kind.name().toLowerCase(java.util.Locale.ROOT))),
            List.of(rate, 2 * rate, clock.millis()))
        .compose(
            reply -> {
              if (reply.get(0).toInteger() == 1) {
                return Future.succeededFuture();
              }
              long seconds = Math.max(1, (reply.get(1).toLong() + 999) / 1000);
              return Future.failedFuture(
                  new ApiError(
                      429,
                      "rate_limited",
                      "more than "
                          + rate
                          + " "
                          + kind.name().toLowerCase(java.util.Locale.ROOT)
                          + " a second; retry in "
                          + seconds
                          + " s",
                      new io.vertx.core.json.JsonObject().put("retryAfterSeconds", seconds)));
            });
  }
}
