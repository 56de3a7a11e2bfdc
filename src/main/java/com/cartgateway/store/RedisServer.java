package com.cartgateway.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

/** Commands about the server rather than the data: the readiness ping and its configuration. */
public final class RedisServer {
  private static final String NOTIFY = "notify-keyspace-events";

  private RedisServer() {}

  /** Succeeds when the server answers. */
  public static Future<Void> ping(RedisGateway redis) {
    return redis.send(Request.cmd(Command.PING)).mapEmpty();
  }

  /** The server's {@code notify-keyspace-events} flags ("" when none). */
  public static Future<String> keyspaceEvents(RedisGateway redis) {
    return redis
        .send(Request.cmd(Command.CONFIG).arg("GET").arg(NOTIFY))
        .map(reply -> reply.size() > 1 ? reply.get(1).toString() : "");
  }

  /** Sets the server's {@code notify-keyspace-events} flags (managed Redis often refuses). */
  public static Future<Void> setKeyspaceEvents(RedisGateway redis, String flags) {
    return redis.send(Request.cmd(Command.CONFIG).arg("SET").arg(NOTIFY).arg(flags)).mapEmpty();
  }
}
