package com.cartgateway.reconcile;

import com.cartgateway.cart.CartActivity;
import com.cartgateway.cart.CartJournal;
import com.cartgateway.cart.CartMetrics;
import com.cartgateway.config.AppConfig;
import com.cartgateway.events.EventPublisher;
import com.cartgateway.inventory.CatalogJournal;
import com.cartgateway.process.ProcessClients;
import com.cartgateway.store.RedisGateway;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Optional;

/**
 * The timer role's object graph: three {@link SweepVerticle}s, one per timer, each building its
 * sweep over its own Redis connections and the process's shared clients.
 */
public final class TimerRole {
  private final AppConfig config;
  private final ProcessClients clients;
  private final Clock clock = Clock.systemUTC();

  /**
   * @param config the configuration
   * @param clients the process's shared clients (producer, metrics)
   */
  public TimerRole(AppConfig config, ProcessClients clients) {
    this.config = config;
    this.clients = clients;
  }

  /** Returns lapsed holds to stock: expiry events, and a sweep of the expiry indexes. */
  public SweepVerticle holds() {
    return new SweepVerticle(
        "hold sweep",
        config.cart().holdSweepInterval(),
        config.redis(),
        (vertx, context, redis) ->
            new HoldLapses(
                vertx,
                config.redis(),
                redis,
                new HoldReaper(
                    redis,
                    journal(redis, events(context), Optional.empty()),
                    clients.registry(),
                    clock)),
        clients.registry());
  }

  /** Reports carts idle past the abandonment time on {@code cart.abandoned}. */
  public SweepVerticle abandonment() {
    return new SweepVerticle(
        "abandonment sweep",
        config.cart().abandonSweepInterval(),
        config.redis(),
        this::abandonmentSweeper,
        clients.registry());
  }

  /** Republishes carts and SKUs whose change Kafka did not take. */
  public SweepVerticle republish() {
    return new SweepVerticle(
        "republish sweep",
        // the timer role's cadence: as often as lapsed holds are swept
        config.cart().holdSweepInterval(),
        config.redis(),
        (vertx, context, redis) -> {
          EventPublisher events = events(context);
          Optional<MeterRegistry> registry = Optional.of(clients.registry());
          UnpublishedSweeper sweeper =
              new UnpublishedSweeper(
                  journal(redis, events, registry),
                  new CatalogJournal(redis, events, clock, registry),
                  config.republishGrace());
          return sweeper::sweep;
        },
        clients.registry());
  }

  private Sweep abandonmentSweeper(Vertx vertx, Context context, RedisGateway redis) {
    EventPublisher events = events(context);
    return new AbandonmentSweeper(
        redis,
        events,
        new CartActivity(redis, events, CartMetrics.forProcess(vertx, clients.registry())),
        config.cart().abandonAfter(),
        config.claimLease(),
        clock,
        clients.registry());
  }

  private EventPublisher events(Context context) {
    return new EventPublisher(clients.producer(), clients.sends(), context);
  }

  /**
   * The cart journal of a sweep, which republishes but never rebuilds; with a registry it counts
   * what it republishes.
   */
  private CartJournal journal(
      RedisGateway redis, EventPublisher events, Optional<MeterRegistry> registry) {
    return new CartJournal(
        redis, events, clock, Optional.empty(), config.cart().hotIdle(), registry);
  }
}
