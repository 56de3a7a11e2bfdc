package com.cartgateway.http;

import com.cartgateway.cart.CartService;
import com.cartgateway.cart.Checkout;
import com.cartgateway.cart.Merge;
import com.cartgateway.config.AppConfig;
import com.cartgateway.deadline.Deadlines;
import com.cartgateway.health.HealthChecks;
import com.cartgateway.identity.Identities;
import com.cartgateway.inventory.CatalogJournal;
import com.cartgateway.inventory.InventoryStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.trace.Tracer;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Optional;

/** Builds the router of one HTTP verticle: every route of the contract and its handlers. */
public final class ApiRouter {
  private static final String OPENAPI = "openapi.yaml";

  private ApiRouter() {}

  /**
   * The router.
   *
   * @param vertx the verticle's Vert.x (called on the verticle's event loop, whose deadlines the
   *     requests get)
   * @param config the configuration
   * @param carts the cart operations
   * @param checkout checkout
   * @param merge the guest-to-shopper merge
   * @param idempotency the idempotency records
   * @param limiter the per-identity rate limits
   * @param inventory the catalog and stock
   * @param identities identity checks
   * @param health readiness checks
   * @param registry the metrics registry to scrape
   * @param tracer the tracer of the exported server spans, when spans are exported
   * @param clock the time source
   */
  public static Router create(
      Vertx vertx,
      AppConfig config,
      CartService carts,
      Checkout checkout,
      Merge merge,
      Idempotency idempotency,
      RateLimiter limiter,
      InventoryStore inventory,
      CatalogJournal catalogJournal,
      Identities identities,
      HealthChecks health,
      PrometheusMeterRegistry registry,
      Optional<Tracer> tracer,
      Clock clock) {
    Router router = Router.router(vertx);
    AccessLog access = new AccessLog(new Pseudonyms(config.security().jwtSecret()), tracer);
    int hops = config.http().trustedProxyHops();
    // One handler for what every request needs first: each handler is a step of the router's loop.
    router
        .route()
        .handler(
            ctx -> {
              access.start(ctx);
              commonHeaders(ctx);
              Requests.resolveClient(ctx, hops);
              ctx.next();
            });
    router.route().failureHandler(Problems::handle);
    RouteMetrics metrics = new RouteMetrics(registry);
    router.errorHandler(
        404,
        ctx -> {
          metrics.unmatched(ctx);
          Problems.handle(ctx);
        });
    router.errorHandler(
        405,
        ctx -> {
          metrics.unmatched(ctx);
          Problems.handle(ctx);
        });

    Buffer openApi = openApi();
    on(router, metrics, HttpMethod.GET, "/health/live")
        .handler(ctx -> json(ctx, "{\"status\":\"UP\"}"));
    on(router, metrics, HttpMethod.GET, "/health/ready")
        .handler(ctx -> ready(ctx, health.current()));
    on(router, metrics, HttpMethod.GET, "/metrics")
        .handler(PrometheusScrapingHandler.create(registry));
    on(router, metrics, HttpMethod.GET, "/" + OPENAPI)
        .handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml").end(openApi));

    // Each API route carries its whole chain, so that metrics label it by its own path. Vert.x
    // runs platform handlers (deadline, cache headers) before the body handler, and ours after.
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes());
    RequestDeadline deadline =
        new RequestDeadline(Deadlines.ofCurrentContext(vertx, config.http().requestTimeout()));
    Handler<RoutingContext> json = Requests::requireJsonIfBody;
    PlatformHandler cartHeaders = ApiRouter::cartHeaders;

    CartHandlers cart =
        new CartHandlers(
            carts, checkout, merge, identities, idempotency, limiter, config.cart().maxQuantity());
    on(router, metrics, HttpMethod.GET, "/v1/cart")
        .handler(deadline)
        .handler(cartHeaders)
        .handler(cart::get);
    on(router, metrics, HttpMethod.DELETE, "/v1/cart")
        .handler(deadline)
        .handler(cartHeaders)
        .handler(cart::clear);
    on(router, metrics, HttpMethod.POST, "/v1/cart/items")
        .handler(deadline)
        .handler(cartHeaders)
        .handler(body)
        .handler(json)
        .handler(cart::add);
    on(router, metrics, HttpMethod.PUT, "/v1/cart/items/:sku")
        .handler(deadline)
        .handler(cartHeaders)
        .handler(body)
        .handler(json)
        .handler(cart::set);
    on(router, metrics, HttpMethod.POST, "/v1/cart/merge")
        .handler(deadline)
        .handler(cartHeaders)
        .handler(body)
        .handler(json)
        .handler(cart::merge);
    on(router, metrics, HttpMethod.POST, "/v1/cart/checkout")
        .handler(deadline)
        .handler(cartHeaders)
        .handler(body)
        .handler(json)
        .handler(cart::checkout);
    on(router, metrics, HttpMethod.DELETE, "/v1/cart/items/:sku")
        .handler(deadline)
        .handler(cartHeaders)
        .handler(cart::remove);

    CatalogHandlers catalog =
        new CatalogHandlers(inventory, catalogJournal, identities, limiter, clock);
    on(router, metrics, HttpMethod.PUT, "/v1/admin/skus/:sku")
        .handler(deadline)
        .handler(body)
        .handler(json)
        .handler(catalog::put);
    on(router, metrics, HttpMethod.GET, "/v1/skus/:sku").handler(deadline).handler(catalog::get);
    return router;
  }

  /** A route whose requests are counted and timed under its own pattern. */
  /**
   * 200 with the checks while this process would take writes; else a 503 problem ({@code
   * not_ready}) naming the reasons, with the same members besides.
   */
  private static void ready(RoutingContext ctx, HealthChecks.Readiness readiness) {
    ctx.response().putHeader("Cache-Control", "no-store");
    if (readiness.ready()) {
      ctx.response().putHeader("Content-Type", "application/json").end(readiness.body().toBuffer());
      return;
    }
    JsonObject extras = readiness.body().copy();
    // the problem's status is the HTTP status; the checks' verdict is the reasons
    extras.remove("status");
    extras.put("reasons", new JsonArray(readiness.reasons()));
    Problems.send(
        ctx,
        new Problems.Problem(
            503,
            "not_ready",
            "this process would refuse writes now: " + String.join(", ", readiness.reasons()),
            extras));
  }

  private static Route on(Router router, RouteMetrics metrics, HttpMethod method, String path) {
    return router.route(method, path).handler(metrics.route(method, path));
  }

  // Header names and values every response carries, encoded once instead of on each response.
  private static final CharSequence NOSNIFF_NAME =
      HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence FRAME_OPTIONS_NAME =
      HttpHeaders.createOptimized("X-Frame-Options");
  private static final CharSequence DENY = HttpHeaders.createOptimized("DENY");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final CharSequence CART_VARY =
      HttpHeaders.createOptimized("Authorization, Cookie, X-Cart-Session");

  private static void commonHeaders(RoutingContext ctx) {
    RequestIds.assign(ctx);
    ctx.response().putHeader(NOSNIFF_NAME, NOSNIFF).putHeader(FRAME_OPTIONS_NAME, DENY);
  }

  /** A CDN in front must never serve one shopper's cart to another. */
  private static void cartHeaders(RoutingContext ctx) {
    ctx.response()
        .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
        .putHeader(HttpHeaders.VARY, CART_VARY);
    ctx.next();
  }

  private static void json(RoutingContext ctx, String body) {
    ctx.response().putHeader("Content-Type", "application/json").end(body);
  }

  private static Buffer openApi() {
    try (InputStream in = ApiRouter.class.getClassLoader().getResourceAsStream(OPENAPI)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + OPENAPI);
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
