package com.cartgateway.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Request latency and counts by route, method and status ({@code http_server_requests_seconds}, a
 * histogram). Each route's meters are resolved once and kept by status, so that a request costs an
 * array read and a timer record: Vert.x's own HTTP server metrics looked five meters up in the
 * registry for every request, 18% of a near-cache read's event loop (docs/benchmarks.md). Labels
 * are bounded: the route is its pattern, a method outside the standard ones is {@code other}, and a
 * request no route matched is counted under the route {@code unmatched}.
 */
final class RouteMetrics {
  static final String NAME = "http.server.requests";
  private static final String UNMATCHED = "unmatched";
  static final Set<HttpMethod> KNOWN =
      Set.of(
          HttpMethod.GET,
          HttpMethod.HEAD,
          HttpMethod.POST,
          HttpMethod.PUT,
          HttpMethod.PATCH,
          HttpMethod.DELETE,
          HttpMethod.OPTIONS,
          HttpMethod.TRACE,
          HttpMethod.CONNECT);

  private final MeterRegistry registry;
  private final Map<HttpMethod, Recorder> unmatched = new HashMap<>();
  private final Recorder unmatchedOther;

  /** One a router: its recorders are confined to the router's event loop. */
  RouteMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (HttpMethod method : KNOWN) {
      unmatched.put(method, new Recorder(method.name(), UNMATCHED));
    }
    unmatchedOther = new Recorder("other", UNMATCHED);
  }

  /** The recorder of one route, placed first in its chain. */
  PlatformHandler route(HttpMethod method, String path) {
    Recorder recorder = new Recorder(method.name(), path);
    return ctx -> {
      recorder.start(ctx);
      ctx.next();
    };
  }

  /** Records a request no route took (an unknown path or method), as its error handler answers. */
  void unmatched(RoutingContext ctx) {
    unmatched.getOrDefault(ctx.request().method(), unmatchedOther).start(ctx);
  }

  /** The meters of one route and method, by status, resolved on first use. */
  private final class Recorder {
    private final String method;
    private final String route;
    // Index 0 holds statuses outside 100..599. Written and read on the verticle's event loop.
    private final Timer[] byStatus = new Timer[600];

    Recorder(String method, String route) {
      this.method = method;
      this.route = route;
    }

    void start(RoutingContext ctx) {
      long started = System.nanoTime();
      ctx.addBodyEndHandler(
          ended ->
              timer(ctx.response().getStatusCode())
                  .record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
    }

    private Timer timer(int status) {
      int slot = status >= 100 && status < 600 ? status : 0;
      Timer timer = byStatus[slot];
      if (timer == null) {
        timer =
            Timer.builder(NAME)
                .description("HTTP requests by route, method and status")
                .tags(
                    "route",
                    route,
                    "method",
                    method,
                    "code",
                    slot == 0 ? "other" : Integer.toString(status))
                .register(registry);
        byStatus[slot] = timer;
      }
      return timer;
    }
  }
}
