package com.cartgateway.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The marks of changes whose event Kafka may lack: members {@code "<id> <nonce>"} of sorted sets
 * scored by the time of the change, one member per change, so that concurrent changes of one cart
 * or SKU never clear each other's mark.
 */
public final class UnpublishedMarks {
  private UnpublishedMarks() {}

  /** A new mark of a change of {@code id}. */
  public static String mark(String id) {
    return id + " " + UUID.randomUUID();
  }

  /** The cart id or SKU a mark is about. */
  public static String idOf(String mark) {
    int space = mark.lastIndexOf(' ');
    return space < 0 ? mark : mark.substring(0, space);
  }

  /** Adds marks, set at {@code at}, to the sorted set {@code key} in one command. */
  public static Future<Void> add(RedisGateway redis, String key, long at, List<String> marks) {
    Request add = Request.cmd(Command.ZADD).arg(key);
    marks.forEach(mark -> add.arg(at).arg(mark));
    return redis.send(add).mapEmpty();
  }

  /** Removes marks from the sorted set {@code key} in one command. */
  public static Future<Void> remove(RedisGateway redis, String key, List<String> marks) {
    Request remove = Request.cmd(Command.ZREM).arg(key);
    marks.forEach(remove::arg);
    return redis.send(remove).mapEmpty();
  }

  /**
   * Up to {@code limit} marks of {@code key} set before {@code before}, by id in the order met.
   *
   * @return the marks by id, and whether the page was full (more may follow)
   */
  public static Future<Page> due(RedisGateway redis, String key, long before, int limit) {
    return redis
        .send(SortedSets.due(key, before, limit, false))
        .map(
            reply -> {
              Map<String, List<String>> byId = new LinkedHashMap<>();
              for (Response mark : reply) {
                String text = mark.toString();
                byId.computeIfAbsent(idOf(text), id -> new ArrayList<>()).add(text);
              }
              return new Page(byId, reply.size() >= limit);
            });
  }

  /**
   * One page of due marks.
   *
   * @param byId the marks, by the id they are about
   * @param full whether the page was full, so that more marks may be due
   */
  public record Page(Map<String, List<String>> byId, boolean full) {}
}
