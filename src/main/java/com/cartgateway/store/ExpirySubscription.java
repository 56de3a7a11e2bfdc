package com.cartgateway.store;

import com.cartgateway.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.function.Consumer;

/**
 * A subscription to key expiry events ({@link RedisKeys#EXPIRED_CHANNEL}) on its own connection,
 * which tells of each expired key and of its own loss (the caller subscribes again).
 */
public final class ExpirySubscription {
  private final RedisConnection connection;

  private ExpirySubscription(RedisConnection connection) {
    this.connection = connection;
  }

  /**
   * Opens the subscription's connection; {@link #subscribe} then starts the events.
   *
   * @param expired called with each expired key
   * @param lost called when the connection fails or ends
   */
  public static Future<ExpirySubscription> connect(
      Vertx vertx, AppConfig.Redis config, Consumer<String> expired, Runnable lost) {
    return RedisGateway.subscriber(vertx, config)
        .map(
            connection -> {
              connection.handler(message -> onMessage(message, expired));
              connection.exceptionHandler(e -> lost.run());
              connection.endHandler(ended -> lost.run());
              return new ExpirySubscription(connection);
            });
  }

  /** Subscribes to the expiry events. */
  public Future<Void> subscribe() {
    return connection
        .send(Request.cmd(Command.SUBSCRIBE).arg(RedisKeys.EXPIRED_CHANNEL))
        .mapEmpty();
  }

  /** Ends the subscription. */
  public Future<Void> close() {
    return connection.close();
  }

  private static void onMessage(Response message, Consumer<String> expired) {
    // RESP2 push: ["message", channel, key]
    if (message.size() == 3 && "message".equals(message.get(0).toString())) {
      expired.accept(message.get(2).toString());
    }
  }
}
