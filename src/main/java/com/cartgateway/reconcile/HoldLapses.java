package com.cartgateway.reconcile;

import com.cartgateway.config.AppConfig;
import com.cartgateway.store.ExpirySubscription;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The hold reaper's two paths: expiry events of hold markers (the fast path, where the servers
 * allow keyspace notifications) and each run's sweep of the expiry indexes (the backstop, which
 * also catches holds that lapsed while no timer was running). A server publishes only its own keys'
 * expiries, so there is one subscription per master; every second, apart from the sweep's own
 * interval, it checks that the masters are still those subscribed to, since after a failover the
 * old master, now a replica, publishes none (a master that died ends its subscription at once).
 */
public final class HoldLapses implements Sweep {
  private static final Logger LOG = Logger.getLogger(HoldLapses.class.getName());
  private static final long RESUBSCRIBE_MILLIS = 1_000;
  private static final long FOLLOW_MILLIS = 1_000;

  private final Vertx vertx;
  private final AppConfig.Redis redisConfig;
  private final RedisGateway redis;
  private final HoldReaper reaper;
  private final List<ExpirySubscription> subscriptions = new ArrayList<>();
  private List<String> subscribed = List.of();
  private boolean resubscribing;
  private boolean stopping;
  private long following = -1;

  /**
   * @param vertx the verticle's Vert.x
   * @param redisConfig the Redis settings, for the subscribers' own connections
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
    if (redisConfig.cluster()) {
      following = vertx.setPeriodic(FOLLOW_MILLIS, id -> followMasters());
    }
    return subscribe();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (following >= 0) {
      vertx.cancelTimer(following);
    }
    return closeAll();
  }

  /** Subscribes to every master; on any failure, starts again a second later. */
  private Future<Void> subscribe() {
    return RedisServer.masters(redis, redisConfig)
        .compose(
            masters -> {
              subscribed = masters;
              List<Future<Void>> started = new ArrayList<>();
              for (String master : masters) {
                started.add(
                    ExpirySubscription.connect(vertx, master, this::expired, this::resubscribeLater)
                        .compose(
                            connected -> {
                              subscriptions.add(connected);
                              return connected.subscribe();
                            }));
              }
              return Future.all(started).<Void>mapEmpty();
            })
        .recover(
            e -> {
              LOG.log(Level.WARNING, "expiry subscription failed; retrying: " + e.getMessage());
              resubscribeLater();
              return Future.succeededFuture();
            });
  }

  /** Subscribes again when the masters changed (a failover, a resharding). */
  private void followMasters() {
    if (resubscribing || stopping) {
      return;
    }
    RedisServer.masters(redis, redisConfig)
        .onSuccess(
            masters -> {
              if (!masters.equals(subscribed)) {
                LOG.info("Redis masters changed to " + masters + ": subscribing to their expiries");
                resubscribeLater();
              }
            });
  }

  /**
   * Drops every subscription (one lost means the set is no longer whole), then subscribes again.
   */
  private void resubscribeLater() {
    if (resubscribing || stopping) {
      return;
    }
    resubscribing = true;
    closeAll()
        .onComplete(
            closed ->
                vertx.setTimer(
                    RESUBSCRIBE_MILLIS,
                    id -> {
                      resubscribing = false;
                      if (!stopping) {
                        subscribe();
                      }
                    }));
  }

  private Future<Void> closeAll() {
    List<Future<Void>> closed = subscriptions.stream().map(ExpirySubscription::close).toList();
    subscriptions.clear();
    subscribed = List.of();
    return Future.join(closed).<Void>mapEmpty().otherwiseEmpty();
  }

  private void expired(String key) {
    reaper
        .expired(key)
        .onFailure(e -> LOG.log(Level.FINE, "lapse left to the sweep: " + e.getMessage()));
  }
}
