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
            config.claimLease(),
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

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return redis.close();
  }
}
