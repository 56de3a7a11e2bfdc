package com.cartgateway.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;

/**
 * The records of idempotency keys ({@link RedisKeys#cartIdempotency}): claimed by {@link
 * Scripts#IDEMPOTENCY_BEGIN}, then replaced by the answer or removed here. A removed claim stays in
 * the owner's index until its claim lifetime passes, then the next claim drops it.
 */
public final class IdempotencyRecords {
  private IdempotencyRecords() {}

  /**
   * Replaces the claim with the answer, kept for {@code kept}, and moves the key's expiry in the
   * owner's index of live keys ({@link RedisKeys#cartIdempotencyIndex}).
   *
   * @param nowMillis the time the answer is kept from
   * @param longest the longest any answer is kept: how long the index outlives its last change
   */
  public static Future<Void> save(
      RedisGateway redis,
      String cartId,
      String key,
      String record,
      Duration kept,
      long nowMillis,
      Duration longest) {
    return Scripts.IDEMPOTENCY_COMPLETE
        .call(
            redis,
            List.of(RedisKeys.cartIdempotency(cartId, key), RedisKeys.cartIdempotencyIndex(cartId)),
            List.of(record, kept.toMillis(), key, nowMillis, longest.toMillis()))
        .mapEmpty();
  }

  /** Removes the claim, so that a retry with the key runs again. */
  public static Future<Void> drop(RedisGateway redis, String cartId, String key) {
    return redis
        .send(Request.cmd(Command.DEL).arg(RedisKeys.cartIdempotency(cartId, key)))
        .mapEmpty();
  }
}
