package com.cartgateway.store;

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
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A subscription to key expiry events ({@link RedisKeys#EXPIRED_CHANNEL}) of one server on its own
 * connection, which tells of each expired key and of its own loss (the caller subscribes again). A
 * server publishes only the expiries of its own keys, so in a cluster there is one per master.
 */
public final class ExpirySubscription {
  private static final Logger LOG = Logger.getLogger(ExpirySubscription.class.getName());
  private static final String NOTIFY = "notify-keyspace-events";

  private final Redis client;
  private final RedisConnection connection;

  private ExpirySubscription(Redis client, RedisConnection connection) {
    this.client = client;
    this.connection = connection;
  }

  /**
   * Opens the subscription's connection to one server, with a client of its own (a subscribed
   * connection can do nothing else); {@link #subscribe} then starts the events. The client is
   * closed with the connection, however it ends, so that a resubscription after each loss leaves
   * nothing behind.
   *
   * @param server the server's URL (a master's, in a cluster: see {@link RedisServer#masters})
   * @param expired called with each expired key
   * @param lost called once when the connection fails or ends
   */
  public static Future<ExpirySubscription> connect(
      Vertx vertx, String server, Consumer<String> expired, Runnable lost) {
    Redis client =
        Redis.createClient(
            vertx,
            new RedisOptions()
                .setConnectionString(server)
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

  /**
   * Turns on the server's expiry events where it lets us (managed Redis often refuses CONFIG:
   * there, the operator sets {@code notify-keyspace-events Ex}, and the sweep covers until then),
   * then subscribes to them.
   */
  public Future<Void> subscribe() {
    return enableExpiryEvents()
        .compose(
            ignored ->
                connection.send(Request.cmd(Command.SUBSCRIBE).arg(RedisKeys.EXPIRED_CHANNEL)))
        .mapEmpty();
  }

  private Future<Void> enableExpiryEvents() {
    return connection
        .send(Request.cmd(Command.CONFIG).arg("GET").arg(NOTIFY))
        .map(reply -> reply.size() > 1 ? reply.get(1).toString() : "")
        .compose(
            flags ->
                flags.contains("x") && (flags.contains("E") || flags.contains("A"))
                    ? Future.<Void>succeededFuture()
                    : connection
                        .send(Request.cmd(Command.CONFIG).arg("SET").arg(NOTIFY).arg(flags + "Ex"))
                        .<Void>mapEmpty())
        .recover(
            e -> {
              LOG.log(
                  Level.WARNING,
                  "cannot enable keyspace notifications; holds lapse by the sweep only: "
                      + e.getMessage());
              return Future.succeededFuture();
            });
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
