package com.cartgateway.reconcile;

import com.cartgateway.cart.CartJournal;
import com.cartgateway.config.AppConfig;
import com.cartgateway.events.EventPublisher;
import com.cartgateway.process.ProcessClients;
import com.cartgateway.store.ExpirySubscription;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The timer role's hold reaper: listens to expiry events of hold markers (the fast path, where the
 * server allows keyspace notifications) and sweeps the expiry indexes on a timer (the backstop,
 * which also catches holds that lapsed while no timer was running).
 */
public final class HoldReaperVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(HoldReaperVerticle.class.getName());
  private static final long RESUBSCRIBE_MILLIS = 1_000;

  private final AppConfig config;
  private final ProcessClients clients;
  private RedisGateway redis;
  private HoldReaper reaper;
  private ExpirySubscription subscription;
  private long sweepTimer;
  private boolean sweeping;
  private boolean stopping;

  /**
   * @param config the configuration
   * @param clients the process's shared clients (for the metrics registry)
   */
  public HoldReaperVerticle(AppConfig config, ProcessClients clients) {
    this.config = config;
    this.clients = clients;
  }

  @Override
  public Future<?> start() {
    redis = RedisGateway.create(vertx, config.redis());
    Clock clock = Clock.systemUTC();
    CartJournal journal =
        new CartJournal(
            redis,
            new EventPublisher(clients.producer(), clients.sends(), context),
            clock,
            Optional.empty(),
            config.cart().hotIdle(),
            Optional.empty());
    reaper = new HoldReaper(redis, journal, clients.registry(), clock);
    sweepTimer = vertx.setPeriodic(1, config.cart().holdSweepInterval().toMillis(), id -> sweep());
    return enableExpiryEvents().compose(ignored -> subscribe());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(sweepTimer);
    Future<Void> unsubscribed =
        subscription == null ? Future.succeededFuture() : subscription.close();
    return unsubscribed.eventually(() -> redis.close());
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
    return ExpirySubscription.connect(vertx, config.redis(), this::expired, this::resubscribeLater)
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

  /** One sweep at a time: a slow sweep is not overlapped by the next tick. */
  private void sweep() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    reaper
        .sweep()
        .onFailure(e -> LOG.log(Level.WARNING, "hold sweep failed: " + e.getMessage()))
        .onComplete(done -> sweeping = false);
  }
}
