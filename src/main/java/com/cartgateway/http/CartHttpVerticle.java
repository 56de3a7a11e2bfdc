package com.cartgateway.http;

import com.cartgateway.cart.CartActivity;
import com.cartgateway.cart.CartJournal;
import com.cartgateway.cart.CartMetrics;
import com.cartgateway.cart.CartRebuilder;
import com.cartgateway.cart.CartService;
import com.cartgateway.cart.CartStore;
import com.cartgateway.cart.Checkout;
import com.cartgateway.cart.Merge;
import com.cartgateway.circuit.Circuits;
import com.cartgateway.config.AppConfig;
import com.cartgateway.durability.CatchUp;
import com.cartgateway.durability.Epoch;
import com.cartgateway.durability.GroupProgress;
import com.cartgateway.dynamo.DynamoCarts;
import com.cartgateway.dynamo.DynamoCatalog;
import com.cartgateway.events.EventPublisher;
import com.cartgateway.health.HealthChecks;
import com.cartgateway.identity.Identities;
import com.cartgateway.inventory.CatalogJournal;
import com.cartgateway.inventory.CatalogRebuilder;
import com.cartgateway.inventory.InventoryStore;
import com.cartgateway.inventory.LastKnownPrices;
import com.cartgateway.process.ProcessClients;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.trace.SpanExport;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves the HTTP API on one event loop, with its own Redis connections; all state lives in Redis,
 * so instances share nothing but the process's clients.
 */
public final class CartHttpVerticle extends VerticleBase {
  private static final long DRAIN_SECONDS = 20;
  private static final long EPOCH_WATCH_MILLIS = 1000;
  private static final Logger LOG = Logger.getLogger(CartHttpVerticle.class.getName());

  private final AppConfig config;
  private final ProcessClients clients;
  private RedisGateway redis;
  private HttpServer server;
  private long epochTimer;
  private HealthChecks health;

  /**
   * @param config the configuration
   * @param clients the clients shared by the process
   */
  public CartHttpVerticle(AppConfig config, ProcessClients clients) {
    this.config = config;
    this.clients = clients;
  }

  @Override
  public Future<?> start() {
    Clock clock = Clock.systemUTC();
    redis = RedisGateway.create(vertx, config.redis(), clients.nearCache());
    DynamoCatalog catalogTable =
        new DynamoCatalog(clients.dynamo(), config.dynamoDb().catalogTable(), Circuits.of(vertx));
    Epoch epoch = new Epoch(redis, CartRebuilder.publishWindow(config), clock);
    CatalogRebuilder catalogRebuilder =
        new CatalogRebuilder(
            redis,
            epoch,
            new CatchUp(epoch, clients.catalogProgress(), CatalogRebuilder.ENDS),
            catalogTable);
    InventoryStore inventory =
        new InventoryStore(redis, clients.prices(), clock, catalogRebuilder, clients.registry());
    CartStore.Limits limits =
        new CartStore.Limits(
            config.cart().maxLines(), config.cart().maxQuantity(), config.cart().holdCap());
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
            epoch,
            new CatchUp(epoch, progress, CartRebuilder.ENDS),
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
    CartService carts =
        new CartService(
            cartStore,
            inventory,
            limits,
            config.cart().reservationTtl(),
            clock,
            activity,
            journal,
            rebuilder,
            clients.bodies(),
            clients.refusedWriters(),
            new LastKnownPrices(clients.prices(), catalogTable),
            metrics);
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
            inventory,
            redis,
            limits,
            config.cart().reservationTtl(),
            config.cart().mergePolicy(),
            clock,
            activity,
            journal);
    // Notice a Redis that lost its data within a second, not at the first cart it misses, so that
    // the publish window a rebuild must wait out starts close to the loss.
    rebuilder.watchEpoch().onFailure(e -> LOG.log(Level.FINE, "epoch: " + e.getMessage()));
    epochTimer =
        vertx.setPeriodic(
            EPOCH_WATCH_MILLIS,
            id ->
                rebuilder
                    .watchEpoch()
                    .compose(watched -> catalogRebuilder.tick())
                    .onFailure(e -> LOG.log(Level.FINE, "epoch: " + e.getMessage())));
    Identities identities =
        new Identities(vertx, config.security().jwtSecret(), config.security().adminToken(), clock);
    health =
        new HealthChecks(
            vertx,
            redis,
            clients.kafkaAdmin(),
            clients.dynamo(),
            config.dynamoDb().cartsTable(),
            config.redis().commandTimeout(),
            progress,
            rebuilder::writesRefused,
            config.http().readyMaxLagEvents());
    health.start();
    // Cleartext HTTP/1.1 only: HTTP/2 ends at the CDN or load balancer, and the h2c upgrade
    // lost large first responses (the OpenAPI document) for the JDK and curl clients.
    server =
        vertx.createHttpServer(
            new HttpServerOptions()
                .setCompressionSupported(true)
                .setTcpNoDelay(true)
                .setHttp2ClearTextEnabled(false));
    return server
        .requestHandler(
            ApiRouter.create(
                vertx,
                config,
                carts,
                checkout,
                merge,
                new Idempotency(redis),
                new RateLimiter(redis, config.rateLimit(), clock),
                inventory,
                catalogJournal,
                identities,
                health,
                clients.registry(),
                clients.spans().map(SpanExport::tracer),
                clock))
        .listen(config.http().port());
  }

  /** Stops accepting, lets requests in flight finish, then closes the Redis connections. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(epochTimer);
    health.stop();
    return server.shutdown(DRAIN_SECONDS, TimeUnit.SECONDS).eventually(() -> redis.close());
  }
}
