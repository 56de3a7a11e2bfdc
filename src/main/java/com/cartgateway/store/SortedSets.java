package com.cartgateway.store;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

/** The page of a sorted set that the sweeps read: members scored at or before a time. */
final class SortedSets {
  private SortedSets() {}

  /**
   * Up to {@code limit} members of {@code key} scored at or before {@code before}, lowest first.
   */
  static Request due(String key, long before, int limit, boolean withScores) {
    Request request = Request.cmd(Command.ZRANGEBYSCORE).arg(key).arg("-inf").arg(before);
    if (withScores) {
      request.arg("WITHSCORES");
    }
    return request.arg("LIMIT").arg(0).arg(limit);
  }
}
