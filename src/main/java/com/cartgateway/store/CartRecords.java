package com.cartgateway.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The commands on one cart's keys besides its scripts: reads of the cart's hash, its idle expiry,
 * its recovery mark, the note that DynamoDB has no copy of it, and the key-value records kept
 * beside it (orders placed from it, the cart a guest cart was merged into).
 */
public final class CartRecords {
  private CartRecords() {}

  /** The cart's hash: empty when Redis has no such cart. */
  public static Future<Map<String, String>> read(RedisGateway redis, String cartId) {
    return redis
        .send(Request.cmd(Command.HGETALL).arg(RedisKeys.cart(cartId)))
        .map(ScriptReply::pairs);
  }

  /** Whether Redis has the cart. */
  public static Future<Boolean> exists(RedisGateway redis, String cartId) {
    return keyExists(redis, RedisKeys.cart(cartId));
  }

  /** Redis keeps the cart for {@code idle} from now. */
  public static Future<Void> expireAfter(RedisGateway redis, String cartId, Duration idle) {
    return redis
        .send(Request.cmd(Command.PEXPIRE).arg(RedisKeys.cart(cartId)).arg(idle.toMillis()))
        .mapEmpty();
  }

  /**
   * Removes the cart's pending recovery mark ({@code rec}); true for the caller that removed it.
   */
  public static Future<Boolean> takeRecoveryMark(RedisGateway redis, String cartId) {
    return redis
        .send(Request.cmd(Command.HDEL).arg(RedisKeys.cart(cartId)).arg("rec"))
        .map(removed -> removed.toInteger() == 1);
  }

  /** Whether a note says DynamoDB has no copy of the cart. */
  public static Future<Boolean> notedAbsent(RedisGateway redis, String cartId) {
    return keyExists(redis, RedisKeys.cartAbsent(cartId));
  }

  /** Notes, for {@code kept}, that DynamoDB has no copy of the cart. */
  public static Future<Void> noteAbsent(RedisGateway redis, String cartId, Duration kept) {
    return redis
        .send(
            Request.cmd(Command.SET)
                .arg(RedisKeys.cartAbsent(cartId))
                .arg(1)
                .arg("EX")
                .arg(kept.toSeconds()))
        .mapEmpty();
  }

  /** Removes the note that DynamoDB has no copy of the cart. */
  public static Future<Void> clearAbsent(RedisGateway redis, String cartId) {
    return redis.send(Request.cmd(Command.DEL).arg(RedisKeys.cartAbsent(cartId))).mapEmpty();
  }

  /** The stored JSON of an order placed from the cart, if any. */
  public static Future<Optional<String>> order(RedisGateway redis, String cartId, String orderId) {
    return get(redis, RedisKeys.cartOrder(cartId, orderId));
  }

  /** The user cart a retired guest cart was merged into, if any. */
  public static Future<Optional<String>> mergedInto(RedisGateway redis, String guestCartId) {
    return get(redis, RedisKeys.cartMergedInto(guestCartId));
  }

  private static Future<Boolean> keyExists(RedisGateway redis, String key) {
    return redis.send(Request.cmd(Command.EXISTS).arg(key)).map(reply -> reply.toInteger() == 1);
  }

  private static Future<Optional<String>> get(RedisGateway redis, String key) {
    return redis
        .send(Request.cmd(Command.GET).arg(key))
        .map(reply -> Optional.ofNullable(reply).map(Response::toString));
  }
}
