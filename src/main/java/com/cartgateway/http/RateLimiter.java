package com.cartgateway.http;

import com.cartgateway.config.AppConfig;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.Scripts;
import com.cartgateway.store.TokenBucket;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

/**
 * Token buckets in Redis, per identity (user, guest session, or client address) and kind (reads,
 * writes): {@code rate} requests a second with bursts up to twice that. A rate of 0 turns a kind
 * off. Buckets are shared by every gateway process, so the limit holds across the fleet.
 */
final class RateLimiter {

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

  /**
   * The bucket a request of this kind from this identity takes its token from, or null when the
   * kind is not limited; for a command that takes the token in its own script.
   */
  TokenBucket bucket(String identity, Kind kind) {
    int rate = kind == Kind.READS ? limits.readsPerSecond() : limits.writesPerSecond();
    if (rate == 0) {
      return null;
    }
    return new TokenBucket(
        RedisKeys.rateLimit(identity, kind.name().toLowerCase(Locale.ROOT)),
        rate,
        2 * rate,
        clock.millis());
  }

  /** Takes a token for the identity, or fails with a 429 naming when to retry. */
  Future<Void> take(String identity, Kind kind) {
    TokenBucket bucket = bucket(identity, kind);
    if (bucket == null) {
      return Future.succeededFuture();
    }
    return Scripts.RATE_LIMIT
        .call(
            redis,
            List.of(bucket.key()),
            List.of(bucket.rate(), bucket.burst(), bucket.nowMillis()))
        .compose(
            reply ->
                reply.get(0).toInteger() == 1
                    ? Future.succeededFuture()
                    : Future.failedFuture(refusal(kind, bucket, reply.get(1).toLong())));
  }

  /**
   * The 429 of a command that found its bucket empty ({@link TokenBucket.EmptyException}); any
   * other failure passes as it is.
   */
  <T> Future<T> refused(Kind kind, TokenBucket bucket, Throwable failure) {
    return Future.failedFuture(
        failure instanceof TokenBucket.EmptyException empty
            ? refusal(kind, bucket, empty.waitMillis())
            : failure);
  }

  private static ApiError refusal(Kind kind, TokenBucket bucket, long waitMillis) {
    long seconds = Math.max(1, (waitMillis + 999) / 1000);
    return new ApiError(
        ProblemType.RATE_LIMITED,
        "more than "
            + bucket.rate()
            + " "
            + kind.name().toLowerCase(Locale.ROOT)
            + " a second; retry in "
            + seconds
            + " s",
        new JsonObject().put("retryAfterSeconds", seconds));
  }
}
