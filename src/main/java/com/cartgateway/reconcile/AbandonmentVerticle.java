package com.cartgateway.reconcile;

import com.cartgateway.cart.CartActivity;
import com.cartgateway.cart.CartMetrics;
import com.cartgateway.config.AppConfig;
import com.cartgateway.events.EventPublisher;
import com.cartgateway.process.ProcessClients;
import com.cartgateway.store.RedisGateway;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The timer role's abandonment sweep: one sweep at a time, on a timer. */
public final class AbandonmentVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(AbandonmentVerticle.class.getName());

  private final AppConfig config;
  private final ProcessClients clients;
  private RedisGateway redis;
  private long timer;
  private boolean sweeping;

  /**
   * @param config the configuration
   * @param clients the process's shared clients (producer, metrics)
   */
  public AbandonmentVerticle(AppConfig config, ProcessClients clients) {
    this.config = config;
    this.clients = clients;
  }

  @Override
  public Future<?> start() {
    redis = RedisGateway.create(vertx, config.redis());
    EventPublisher events = new EventPublisher(clients.producer(), clients.sends(), context);
    ActiveCarts active = new ActiveCarts(redis, clients.registry());
    AbandonmentSweeper sweeper =
        new AbandonmentSweeper(
            redis,
            events,
            new CartActivity(redis, events, CartMetrics.forProcess(vertx, clients.registry())),
            config.cart().abandonAfter(),
            claimLease(config),
            Clock.systemUTC(),
            clients.registry());
    timer =
        vertx.setPeriodic(
            1,
            config.cart().abandonSweepInterval().toMillis(),
            id -> {
              active.sample().onFailure(e -> LOG.fine("active carts not sampled: " + e));
              if (sweeping) {
                return;
              }
              sweeping = true;
              sweeper
                  .sweep()
                  .onFailure(e -> LOG.log(Level.WARNING, "abandonment sweep: " + e.getMessage()))
                  .onComplete(done -> sweeping = false);
            });
    return Future.succeededFuture();
  }

  /**
   * How long a sweep's claim on an idle period keeps other sweeps off. Writing the event takes at
   * most the producer's blocking time plus its delivery timeout (both the Kafka delivery timeout),
   * and the recovery announced before it as much again; a claim older than that belongs to a sweep
   * that died, and is taken over. Generous, since a late report costs little and a duplicate is
   * what the lease is there to avoid.
   */
  static Duration claimLease(AppConfig config) {
    Duration writes = config.kafka().deliveryTimeout().multipliedBy(4);
    Duration floor = Duration.ofSeconds(30);
    return writes.compareTo(floor) > 0 ? writes : floor;
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return redis.close();
  }
}
