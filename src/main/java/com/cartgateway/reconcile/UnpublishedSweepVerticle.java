package com.cartgateway.reconcile;

import com.cartgateway.cart.CartJournal;
import com.cartgateway.config.AppConfig;
import com.cartgateway.events.EventPublisher;
import com.cartgateway.inventory.CatalogJournal;
import com.cartgateway.process.ProcessClients;
import com.cartgateway.store.RedisGateway;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The timer role's republisher of changes that missed {@code cart.events}: one sweep at a time. */
public final class UnpublishedSweepVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(UnpublishedSweepVerticle.class.getName());

  private final AppConfig config;
  private final ProcessClients clients;
  private RedisGateway redis;
  private long timer;
  private boolean sweeping;

  /**
   * @param config the configuration
   * @param clients the process's shared clients (producer, metrics)
   */
  public UnpublishedSweepVerticle(AppConfig config, ProcessClients clients) {
    this.config = config;
    this.clients = clients;
  }

  @Override
  public Future<?> start() {
    redis = RedisGateway.create(vertx, config.redis());
    Clock clock = Clock.systemUTC();
    Duration grace = config.republishGrace();
    EventPublisher events = new EventPublisher(clients.producer(), clients.sends(), context);
    UnpublishedSweeper sweeper =
        new UnpublishedSweeper(
            redis,
            new CartJournal(redis, events, clock, Optional.empty(), config.cart().hotIdle()),
            grace,
            clock,
            clients.registry());
    CatalogJournal catalog =
        new CatalogJournal(redis, events, clock, Optional.of(clients.registry()));
    timer =
        vertx.setPeriodic(
            1,
            // the timer role's cadence: as often as lapsed holds are swept
            config.cart().holdSweepInterval().toMillis(),
            id -> {
              if (sweeping) {
                return;
              }
              sweeping = true;
              sweeper
                  .sweep()
                  .compose(carts -> catalog.sweep(grace))
                  .onFailure(e -> LOG.log(Level.WARNING, "republish sweep: " + e.getMessage()))
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
