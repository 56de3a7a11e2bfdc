package com.cartgateway.reconcile;

import com.cartgateway.cart.CartJournal;
import com.cartgateway.cart.CartRebuilder;
import com.cartgateway.config.AppConfig;
import com.cartgateway.events.EventPublisher;
import com.cartgateway.inventory.CatalogJournal;
import com.cartgateway.process.ProcessClients;
import com.cartgateway.store.RedisGateway;
import io.micrometer.core.instrument.MeterRegistry;
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
    // A change in flight is done by then: its request's deadline, then the publish window (a
    // publish may go on after the deadline).
    Duration grace = config.http().requestTimeout().plus(CartRebuilder.publishWindow(config));
    EventPublisher events = new EventPublisher(clients.producer(), clients.sends(), context);
    Optional<MeterRegistry> registry = Optional.of(clients.registry());
    UnpublishedSweeper sweeper =
        new UnpublishedSweeper(
            new CartJournal(
                redis, events, clock, Optional.empty(), config.cart().hotIdle(), registry),
            new CatalogJournal(redis, events, clock, registry),
            grace);
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
