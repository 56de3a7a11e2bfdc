package com.cartgateway.reconcile;

import com.cartgateway.config.AppConfig;
import com.cartgateway.store.ExpirySubscription;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The hold reaper's two paths: expiry events of hold markers (the fast path, where the server
 * allows keyspace notifications) and each run's sweep of the expiry indexes (the backstop, which
 * also catches holds that lapsed while no timer was running).
 */
public final class HoldLapses implements Sweep {
  private static final Logger LOG = Logger.getLogger(HoldLapses.class.getName());
  private static final long RESUBSCRIBE_MILLIS = 1_000;

  private final Vertx vertx;
  private final AppConfig.Redis redisConfig;
  private final RedisGateway redis;
  private final HoldReaper reaper;
  private ExpirySubscription subscription;
  private boolean stopping;

  /**
   * @param vertx the verticle's Vert.x
   * @param redisConfig the Redis settings, for the subscriber's own connection
   * @param redis the verticle's Redis client
   * @param reaper what returns a lapsed hold to stock
   */
  public HoldLapses(
      Vertx vertx, AppConfig.Redis redisConfig, RedisGateway redis, HoldReaper reaper) {
    this.vertx = vertx;
    this.redisConfig = redisConfig;
    this.redis = redis;
    this.reaper = reaper;
  }

  @Override
  public Future<?> run() {
    return reaper.sweep();
  }

  @Override
  public Future<?> start() {
    return enableExpiryEvents().compose(ignored -> subscribe());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    return subscription == null ? Future.succeededFuture() : subscription.close();
  }

  /**
   * Turns on expiry events where the server lets us (managed Redis often refuses CONFIG: there, the
   * operator sets {@code notify-keyspace-events Ex}, and the sweep covers until then).
   */
  private Future<Void> enableExpiryEvents() {
    return RedisServer.keyspaceEvents(redis)
        .compose(
            flags -> {
              boolean enabled = flags.contains("x") && (flags.contains("E") || flags.contains("A"));
              if (enabled) {
                return Future.succeededFuture();
              }
              return RedisServer.setKeyspaceEvents(redis, flags + "Ex");
            })
        .recover(
            e -> {
              LOG.log(
                  Level.WARNING,
                  "cannot enable keyspace notifications; holds lapse by the sweep only: "
                      + e.getMessage());
              return Future.succeededFuture();
            });
  }

  private Future<Void> subscribe() {
    return ExpirySubscription.connect(vertx, redisConfig, this::expired, this::resubscribeLater)
        .compose(
            connected -> {
              subscription = connected;
              return connected.subscribe();
            })
        .recover(
            e -> {
              LOG.log(Level.WARNING, "expiry subscription failed; retrying: " + e.getMessage());
              resubscribeLater();
              return Future.succeededFuture();
            });
  }

  private void resubscribeLater() {
    subscription = null;
    if (!stopping) {
      vertx.setTimer(RESUBSCRIBE_MILLIS, id -> subscribe());
    }
  }

  private void expired(String key) {
    reaper
        .expired(key)
        .onFailure(e -> LOG.log(Level.FINE, "lapse left to the sweep: " + e.getMessage()));
  }
}
