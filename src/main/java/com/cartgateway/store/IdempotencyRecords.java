package com.cartgateway.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;

/**
 * The records of idempotency keys ({@link RedisKeys#cartIdempotency}): claimed by {@link
 * Scripts#IDEMPOTENCY_BEGIN}, then replaced by the answer or removed here.
 */
public final class IdempotencyRecords {
  private IdempotencyRecords() {}

  /** Replaces the claim with the answer, kept for {@code kept}. */
  public static Future<Void> save(
      RedisGateway redis, String cartId, String key, String record, Duration kept) {
    return redis
        .send(
            Request.cmd(Command.SET)
                .arg(RedisKeys.cartIdempotency(cartId, key))
                .arg(record)
                .arg("EX")
                .arg(kept.toSeconds()))
        .mapEmpty();
  }

  /** Removes the claim, so that a retry with the key runs again. */
  public static Future<Void> drop(RedisGateway redis, String cartId, String key) {
    return redis
        .send(Request.cmd(Command.DEL).arg(RedisKeys.cartIdempotency(cartId, key)))
        .mapEmpty();
  }
}
