package com.cartgateway.http;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;

import com.cartgateway.config.AppConfig;
import com.cartgateway.deadline.Deadlines;
import com.cartgateway.health.HealthChecks;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The route table of one HTTP verticle: every route of the contract, with the chain of handlers it
 * runs before its own, built once when the verticle starts.
 */
final class ApiRoutes {
  private static final String OPENAPI = "openapi.yaml";

  /**
   * What a route runs between its metrics and its handler. Vert.x runs platform handlers (deadline,
   * cache headers) before the body handler, and ours after.
   */
  private enum Chain {
    /** Health, metrics and the contract: no deadline, they answer from memory. */
    OPERATIONS(false, false, false),
    /** A read anyone may make and a CDN may keep a second. */
    PUBLIC(true, false, false),
    /** A cart read, or a cart write without a body. */
    CART(true, true, false),
    /** A cart write with a JSON body. */
    CART_WITH_BODY(true, true, true),
    /** An operator's write with a JSON body. */
    WITH_BODY(true, false, true);

    final boolean deadline;
    final boolean cartHeaders;
    final boolean jsonBody;

    Chain(boolean deadline, boolean cartHeaders, boolean jsonBody) {
      this.deadline = deadline;
      this.cartHeaders = cartHeaders;
      this.jsonBody = jsonBody;
    }
  }

  /** One row of the table. */
  private record Api(
      HttpMethod method, String path, Chain chain, Handler<RoutingContext> handler) {}

  private ApiRoutes() {}

  /**
   * The router.
   *
   * @param vertx the verticle's Vert.x (called on the verticle's event loop, whose deadlines the
   *     requests get)
   * @param config the configuration
   * @param cart the cart routes
   * @param catalog the catalog routes
   * @param health readiness checks
   * @param registry the metrics registry to scrape
   * @param tracer the tracer of the exported server spans, when spans are exported
   */
  static Router router(
      Vertx vertx,
      AppConfig config,
      CartHandlers cart,
      CatalogHandlers catalog,
      HealthChecks health,
      PrometheusMeterRegistry registry,
      Optional<Tracer> tracer) {
    Buffer openApi = openApi();
    List<Api> table = new ArrayList<>(operations(health, registry));
    table.addAll(
        List.of(
            new Api(
                GET,
                "/" + OPENAPI,
                Chain.OPERATIONS,
                ctx -> ctx.response().putHeader("Content-Type", "application/yaml").end(openApi)),
            new Api(GET, "/v1/cart", Chain.CART, cart::get),
            new Api(DELETE, "/v1/cart", Chain.CART, cart::clear),
            new Api(POST, "/v1/cart/items", Chain.CART_WITH_BODY, cart::add),
            new Api(PUT, "/v1/cart/items/:sku", Chain.CART_WITH_BODY, cart::set),
            new Api(POST, "/v1/cart/merge", Chain.CART_WITH_BODY, cart::merge),
            new Api(POST, "/v1/cart/checkout", Chain.CART_WITH_BODY, cart::checkout),
            new Api(DELETE, "/v1/cart/items/:sku", Chain.CART, cart::remove),
            new Api(PUT, "/v1/admin/skus/:sku", Chain.WITH_BODY, catalog::put),
            new Api(GET, "/v1/skus/:sku", Chain.PUBLIC, catalog::get)));
    return build(vertx, config, table, registry, tracer);
  }

  /**
   * The router of a process without the HTTP role: its health and metrics routes only, so that an
   * orchestrator can probe a worker or a timer and Prometheus scrape it.
   *
   * @param vertx the verticle's Vert.x
   * @param config the configuration
   * @param health the process's readiness checks
   * @param registry the metrics registry to scrape
   */
  static Router operationsOnly(
      Vertx vertx, AppConfig config, HealthChecks health, PrometheusMeterRegistry registry) {
    return build(vertx, config, operations(health, registry), registry, Optional.empty());
  }

  private static List<Api> operations(HealthChecks health, PrometheusMeterRegistry registry) {
    return List.of(
        new Api(GET, "/health/live", Chain.OPERATIONS, ctx -> json(ctx, "{\"status\":\"UP\"}")),
        new Api(GET, "/health/ready", Chain.OPERATIONS, ctx -> ready(ctx, health.current())),
        new Api(GET, "/metrics", Chain.OPERATIONS, PrometheusScrapingHandler.create(registry)));
  }

  private static Router build(
      Vertx vertx,
      AppConfig config,
      List<Api> table,
      PrometheusMeterRegistry registry,
      Optional<Tracer> tracer) {
    Router router = Router.router(vertx);
    AccessLog access = new AccessLog(new Pseudonyms(config.security().jwtSecret()), tracer);
    int hops = config.http().trustedProxyHops();
    RouteMetrics metrics = new RouteMetrics(registry);
    // One handler for what every request needs first: each handler is a step of the router's loop.
    router
        .route()
        .handler(
            ctx -> {
              access.start(ctx);
              commonHeaders(ctx);
              Requests.resolveClient(ctx, hops);
              Problems.Problem refused = RequestHeads.refusal(ctx);
              if (refused != null) {
                metrics.unmatched(ctx);
                Problems.send(ctx, refused);
                return;
              }
              ctx.next();
            });
    router.route().failureHandler(Problems::handle);
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

    // Each route carries its whole chain, so that metrics label it by its own path; the handlers
    // of the chains are made once and shared.
    RequestDeadline deadline =
        new RequestDeadline(Deadlines.ofCurrentContext(vertx, config.http().requestTimeout()));
    PlatformHandler cartHeaders = ApiRoutes::cartHeaders;
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes());
    Handler<RoutingContext> json = Requests::requireJsonIfBody;
    for (Api api : table) {
      Route route =
          router.route(api.method(), api.path()).handler(metrics.route(api.method(), api.path()));
      if (api.chain().deadline) {
        route.handler(deadline);
      }
      if (api.chain().cartHeaders) {
        route.handler(cartHeaders);
      }
      if (api.chain().jsonBody) {
        route.handler(body).handler(json);
      }
      route.handler(api.handler());
    }
    return router;
  }

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
            ProblemType.NOT_READY,
            "this process would refuse writes now: " + String.join(", ", readiness.reasons()),
            extras));
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
    try (InputStream in = ApiRoutes.class.getClassLoader().getResourceAsStream(OPENAPI)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + OPENAPI);
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
