package com.cartgateway.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A shard's epoch hash ({@link RedisKeys#epoch}), by which the rebuilders detect that the shard
 * lost its data and agree on what to restore (what its fields mean is {@code durability.Epoch}'s).
 */
public final class EpochRecords {
  private EpochRecords() {}

  /** Every field of the epoch; empty when Redis has no epoch (lost its data, or never had one). */
  public static Future<Map<String, String>> fields(RedisGateway redis, String key) {
    return redis.send(Request.cmd(Command.HGETALL).arg(key)).map(EpochRecords::toMap);
  }

  /** One field of the epoch, if set. */
  public static Future<Optional<String>> field(RedisGateway redis, String key, String name) {
    return redis
        .send(Request.cmd(Command.HGET).arg(key).arg(name))
        .map(reply -> Optional.ofNullable(reply).map(Response::toString));
  }

  /** Sets a field unless another process set it first. */
  public static Future<Void> setIfAbsent(
      RedisGateway redis, String key, String name, Object value) {
    return redis
        .send(Request.cmd(Command.HSETNX).arg(key).arg(name).arg(String.valueOf(value)))
        .mapEmpty();
  }

  /** Sets a field. */
  public static Future<Void> set(RedisGateway redis, String key, String name, String value) {
    return redis.send(Request.cmd(Command.HSET).arg(key).arg(name).arg(value)).mapEmpty();
  }

  private static Map<String, String> toMap(Response reply) {
    Map<String, String> fields = new HashMap<>();
    for (String key : reply.getKeys()) {
      fields.put(key, reply.get(key).toString());
    }
    return fields;
  }
}
