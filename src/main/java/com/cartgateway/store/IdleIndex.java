package com.cartgateway.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * The idle index ({@link RedisKeys#idleShard}): cart ids with lines, scored by the shopper's last
 * change, which the abandonment sweep walks. {@link Scripts#IDLE_FORGET} removes a swept cart.
 */
public final class IdleIndex {
  private IdleIndex() {}

  /** Puts a cart in its shard, scored by the shopper's last change of it. */
  public static Future<Void> touch(RedisGateway redis, String cartId, long changedAt) {
    return put(redis, RedisKeys.idleShardOf(cartId), String.valueOf(changedAt), cartId);
  }

  /** Takes an emptied cart out of its shard. */
  public static Future<Void> remove(RedisGateway redis, String cartId) {
    return redis
        .send(Request.cmd(Command.ZREM).arg(RedisKeys.idleShardOf(cartId)).arg(cartId))
        .mapEmpty();
  }

  /** Sets a cart's score in {@code shard}, as a score Redis gave. */
  public static Future<Void> put(RedisGateway redis, String shard, String score, String cartId) {
    return redis.send(Request.cmd(Command.ZADD).arg(shard).arg(score).arg(cartId)).mapEmpty();
  }

  /** How many carts {@code shard} holds (one ZCARD). */
  public static Future<Long> size(RedisGateway redis, String shard) {
    return redis.send(Request.cmd(Command.ZCARD).arg(shard)).map(Response::toLong);
  }

  /** Up to {@code limit} carts of {@code shard} last changed at or before {@code before}. */
  public static Future<List<Entry>> due(RedisGateway redis, String shard, long before, int limit) {
    return redis
        .send(SortedSets.due(shard, before, limit, true))
        .map(
            reply -> {
              List<Entry> due = new ArrayList<>();
              for (int i = 0; i + 1 < reply.size(); i += 2) {
                due.add(new Entry(reply.get(i).toString(), reply.get(i + 1).toString()));
              }
              return due;
            });
  }

  /**
   * One cart of the index.
   *
   * @param cartId the cart
   * @param score its score as Redis wrote it, to remove it only while unchanged
   */
  public record Entry(String cartId, String score) {}
}
