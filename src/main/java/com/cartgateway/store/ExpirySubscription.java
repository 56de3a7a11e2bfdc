package com.cartgateway.store;

import com.cartgateway.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A subscription to key expiry events ({@link RedisKeys#EXPIRED_CHANNEL}) on its own connection,
 * which tells of each expired key and of its own loss (the caller subscribes again).
 */
public final class ExpirySubscription {
  private final Redis client;
  private final RedisConnection connection;

  private ExpirySubscription(Redis client, RedisConnection connection) {
    this.client = client;
    this.connection = connection;
  }

  /**
   * Opens the subscription's connection, to the first configured node, with a client of its own (a
   * subscribed connection can do nothing else); {@link #subscribe} then starts the events. The
   * client is closed with the connection, however it ends, so that a resubscription after each loss
   * leaves nothing behind.
   *
   * @param expired called with each expired key
   * @param lost called once when the connection fails or ends
   */
  public static Future<ExpirySubscription> connect(
      Vertx vertx, AppConfig.Redis config, Consumer<String> expired, Runnable lost) {
    Redis client =
        Redis.createClient(
            vertx,
            new RedisOptions()
                .setConnectionString(config.endpoints().get(0))
                .setPreferredProtocolVersion(ProtocolVersion.RESP2));
    return client
        .connect()
        .onFailure(e -> client.close())
        .map(
            connection -> {
              AtomicBoolean ended = new AtomicBoolean();
              Runnable end =
                  () -> {
                    if (ended.compareAndSet(false, true)) {
                      client.close();
                      lost.run();
                    }
                  };
              connection.handler(message -> onMessage(message, expired));
              connection.exceptionHandler(e -> end.run());
              connection.endHandler(v -> end.run());
              return new ExpirySubscription(client, connection);
            });
  }

  /** Subscribes to the expiry events. */
  public Future<Void> subscribe() {
    return connection
        .send(Request.cmd(Command.SUBSCRIBE).arg(RedisKeys.EXPIRED_CHANNEL))
        .mapEmpty();
  }

  /** Ends the subscription and its client. */
  public Future<Void> close() {
    return client.close();
  }

  private static void onMessage(Response message, Consumer<String> expired) {
    // RESP2 push: ["message", channel, key]
    if (message.size() == 3 && "message".equals(message.get(0).toString())) {
      expired.accept(message.get(2).toString());
    }
  }
}
