package com.cartgateway.http;

import com.cartgateway.cart.CartActivity;
import com.cartgateway.cart.CartJournal;
import com.cartgateway.cart.CartMetrics;
import com.cartgateway.cart.CartReads;
import com.cartgateway.cart.CartRebuilder;
import com.cartgateway.cart.CartService;
import com.cartgateway.cart.CartStore;
import com.cartgateway.cart.CartWrites;
import com.cartgateway.cart.Checkout;
import com.cartgateway.cart.Merge;
import com.cartgateway.circuit.Circuits;
import com.cartgateway.config.AppConfig;
import com.cartgateway.durability.CatchUp;
import com.cartgateway.durability.Epochs;
import com.cartgateway.durability.GroupProgress;
import com.cartgateway.dynamo.DynamoCarts;
import com.cartgateway.dynamo.DynamoCatalog;
import com.cartgateway.events.EventPublisher;
import com.cartgateway.health.HealthChecks;
import com.cartgateway.identity.Identities;
import com.cartgateway.inventory.Catalog;
import com.cartgateway.inventory.CatalogJournal;
import com.cartgateway.inventory.CatalogRebuilder;
import com.cartgateway.inventory.InventoryStore;
import com.cartgateway.inventory.LastKnownPrices;
import com.cartgateway.process.ProcessClients;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.trace.SpanExport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The object graph of the HTTP role on one event loop, built by a plain factory: its own Redis
 * connections, the cart and catalog services over them, the readiness checks, the watch on Redis's
 * epoch, and the router that {@link CartHttpVerticle} serves.
 */
final class HttpRole {
  private static final long EPOCH_WATCH_MILLIS = 1000;
  private static final Logger LOG = Logger.getLogger(HttpRole.class.getName());

  private final Vertx vertx;
  private final RedisGateway redis;
  private final HealthChecks health;
  private final long epochTimer;
  private final Router router;

  private HttpRole(
      Vertx vertx, RedisGateway redis, HealthChecks health, long epochTimer, Router router) {
    this.vertx = vertx;
    this.redis = redis;
    this.health = health;
    this.epochTimer = epochTimer;
    this.router = router;
  }

  /**
   * Builds the role on the calling event loop and starts its background checks.
   *
   * @param vertx the verticle's Vert.x
   * @param context the verticle's context, on which events are published
   * @param config the configuration
   * @param clients the clients shared by the process
   */
  static HttpRole start(Vertx vertx, Context context, AppConfig config, ProcessClients clients) {
    Clock clock = Clock.systemUTC();
    RedisGateway redis = RedisGateway.create(vertx, config.redis(), clients.nearCache());
    DynamoCatalog catalogTable =
        new DynamoCatalog(clients.dynamo(), config.dynamoDb().catalogTable(), Circuits.of(vertx));
    Epochs epochs = new Epochs(redis, config.redis(), config.publishWindow(), clock);
    CatalogRebuilder catalogRebuilder =
        new CatalogRebuilder(
            redis,
            epochs,
            new CatchUp(clients.catalogProgress(), CatalogRebuilder.ENDS),
            catalogTable);
    InventoryStore inventory =
        new InventoryStore(redis, clients.prices(), clock, catalogRebuilder, clients.registry());
    CartStore.Limits limits =
        new CartStore.Limits(
            config.cart().maxLines(),
            config.cart().maxQuantity(),
            config.cart().holdCap(),
            config.cart().clientHoldCap());
    CartMetrics metrics = CartMetrics.forProcess(vertx, clients.registry());
    CartStore cartStore = new CartStore(redis, clients.nearCache(), metrics);
    GroupProgress progress = clients.cartProgress();
    EventPublisher events = new EventPublisher(clients.producer(), clients.sends(), context);
    CartActivity activity = new CartActivity(redis, events, metrics);
    CatalogJournal catalogJournal = new CatalogJournal(redis, events, clock, Optional.empty());
    CartRebuilder rebuilder =
        new CartRebuilder(
            redis,
            inventory,
            new DynamoCarts(clients.dynamo(), config.dynamoDb().cartsTable(), Circuits.of(vertx)),
            epochs,
            new CatchUp(progress, CartRebuilder.ENDS),
            config.cart().hotIdle(),
            Clock.systemUTC());
    CartJournal journal =
        new CartJournal(
            redis,
            events,
            clock,
            Optional.of(rebuilder),
            config.cart().hotIdle(),
            Optional.empty());
    CartReads reads =
        new CartReads(
            cartStore,
            inventory,
            clock,
            rebuilder,
            clients.bodies(),
            new LastKnownPrices(clients.prices(), catalogTable),
            metrics);
    CartService carts =
        new CartService(
            cartStore,
            new CartWrites(redis),
            inventory,
            limits,
            config.cart().reservationTtl(),
            clock,
            activity,
            journal,
            rebuilder,
            clients.refusedWriters(),
            reads);
    Checkout checkout =
        new Checkout(
            cartStore,
            inventory,
            redis,
            events,
            config.cart().reservationTtl(),
            clock,
            clients.registry(),
            activity,
            journal,
            catalogJournal,
            metrics);
    Merge merge =
        new Merge(
            vertx,
            cartStore,
            redis,
            limits,
            config.cart().reservationTtl(),
            config.cart().mergePolicy(),
            clock,
            activity,
            journal,
            reads);
    // Notice a shard that lost its data within a second, not at the first cart it misses, so that
    // the publish window a rebuild must wait out starts close to the loss.
    rebuilder.watchEpochs().onFailure(e -> LOG.log(Level.FINE, "epoch: " + e.getMessage()));
    long epochTimer =
        vertx.setPeriodic(
            EPOCH_WATCH_MILLIS,
            id ->
                rebuilder
                    .watchEpochs()
                    .compose(watched -> catalogRebuilder.tick())
                    .onFailure(e -> LOG.log(Level.FINE, "epoch: " + e.getMessage())));
    Identities identities = new Identities(vertx, config.security(), clock);
    HealthChecks health =
        new HealthChecks(
            vertx,
            Optional.of(redis),
            clients.kafkaAdmin(),
            clients.dynamo(),
            config.dynamoDb().cartsTable(),
            config.redis().commandTimeout(),
            progress,
            rebuilder::writesRefused,
            config.http().readyMaxLagEvents());
    health.start();
    Callers callers = new Callers(identities);
    RateLimiter limiter = new RateLimiter(redis, config.rateLimit(), clock);
    WritePipeline writes = new WritePipeline(callers, limiter, new Idempotency(redis, clock));
    Router router =
        ApiRoutes.router(
            vertx,
            config,
            new CartHandlers(
                carts,
                reads,
                checkout,
                merge,
                callers,
                limiter,
                writes,
                config.cart().maxQuantity()),
            new CatalogHandlers(
                new Catalog(inventory, catalogJournal, clock), inventory, identities, limiter),
            health,
            clients.registry(),
            clients.spans().map(SpanExport::tracer));
    return new HttpRole(vertx, redis, health, epochTimer, router);
  }

  /** The router of the role's routes. */
  Router router() {
    return router;
  }

  /** Stops the epoch watch and the readiness checks; the router still answers. */
  void stopChecks() {
    vertx.cancelTimer(epochTimer);
    health.stop();
  }

  /** Closes the Redis connections, once no request is left to use them. */
  Future<Void> close() {
    return redis.close();
  }
}
