package com.cartgateway.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.cartgateway.identity.Owner;
import com.cartgateway.trace.Traces;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.KeyValuePair;

/**
 * The first handler of every request: takes or makes its trace context, answers it in {@code
 * traceparent}, writes one access line once the response is sent, and, when spans are exported,
 * ends the request's server span then. Lines logged on behalf of a request carry its ids in the MDC
 * only for the duration of the call ({@link #withIds}): event loops serve many requests, so nothing
 * stays in the MDC between callbacks.
 */
final class AccessLog {
  /** The logger of the access lines. */
  static final String LOGGER = "com.cartgateway.access";

  static final String REQUEST_ID = "requestId";
  static final String TRACE_ID = "traceId";
  static final String SPAN_ID = "spanId";

  private static final Logger ACCESS = (Logger) LoggerFactory.getLogger(LOGGER);
  private static final String FQCN = AccessLog.class.getName();
  private static final String SPAN = "traceSpan";
  private static final String OWNER = "owner";
  private static final String ROUTE = "routePattern";

  private static final String OTHER_METHOD = "_OTHER";
  private static final AttributeKey<String> HTTP_METHOD =
      AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  private static final AttributeKey<Long> HTTP_STATUS =
      AttributeKey.longKey("http.response.status_code");

  private final Pseudonyms pseudonyms;

  /** Null when spans are not exported: then the request's span is made by hand, at less cost. */
  private final Tracer tracer;

  AccessLog(Pseudonyms pseudonyms, Optional<Tracer> tracer) {
    this.pseudonyms = pseudonyms;
    this.tracer = tracer.orElse(null);
  }

  /** Starts the trace context and the access line of a request; the caller goes on with it. */
  void start(RoutingContext ctx) {
    long started = System.nanoTime();
    HttpServerRequest request = ctx.request();
    SpanContext span =
        tracer == null ? Traces.serverSpan(request::getHeader) : exported(ctx, request);
    ctx.put(SPAN, span);
    Traces.write(span, ctx.response()::putHeader);
    // Reads too: beside the Kafka records a write causes, the span marks a request's calls, which
    // a half-open circuit refuses rather than letting one wait out the trial call (Circuits).
    Traces.attach(ctx.vertx().getOrCreateContext(), span);
    if (ACCESS.isInfoEnabled()) {
      ctx.addEndHandler(ended -> log(ctx, started));
    }
  }

  /**
   * Starts the SDK's server span of a request, ended (and so exported) with the response: its ids
   * are the ones the request logs and answers, so that the logs and the exported trace join.
   */
  private SpanContext exported(RoutingContext ctx, HttpServerRequest request) {
    SpanContext parent = Traces.remote(request::getHeader);
    // A method outside the standard ones is one name, as OpenTelemetry's conventions have it: a
    // client may invent as many as it likes, and span names are indexed by the trace store.
    String method =
        RouteMetrics.KNOWN.contains(request.method()) ? request.method().name() : OTHER_METHOD;
    SpanBuilder builder =
        tracer.spanBuilder(method).setSpanKind(SpanKind.SERVER).setAttribute(HTTP_METHOD, method);
    if (parent.isValid()) {
      builder.setParent(Context.root().with(Span.wrap(parent)));
    } else {
      builder.setNoParent();
    }
    Span server = builder.startSpan();
    ctx.addEndHandler(
        ended -> {
          String route = routePattern(ctx);
          if (route != null) {
            server.updateName(method + " " + route);
            server.setAttribute(HTTP_ROUTE, route);
          }
          int status = ctx.response().getStatusCode();
          server.setAttribute(HTTP_STATUS, (long) status);
          if (ended.failed()) {
            server.setStatus(StatusCode.ERROR, String.valueOf(ended.cause()));
          } else if (status >= 500) {
            server.setStatus(StatusCode.ERROR);
          }
          server.end();
        });
    return server.getSpanContext();
  }

  /** Remembers the route pattern (not the raw path) for the access line. */
  static void route(RoutingContext ctx) {
    Route route = ctx.currentRoute();
    if (route != null && route.getPath() != null) {
      ctx.put(ROUTE, route.getPath());
    }
  }

  /** Remembers whose cart the request is about, for the access line (as pseudonyms only). */
  static void owner(RoutingContext ctx, Owner owner) {
    ctx.put(OWNER, owner);
  }

  /** Runs a logging call with the request's ids in the MDC, and removes them after. */
  static void withIds(RoutingContext ctx, Runnable logging) {
    SpanContext span = ctx.get(SPAN);
    MDC.put(REQUEST_ID, RequestIds.of(ctx));
    if (span != null) {
      MDC.put(TRACE_ID, span.getTraceId());
      MDC.put(SPAN_ID, span.getSpanId());
    }
    try {
      logging.run();
    } finally {
      MDC.remove(REQUEST_ID);
      MDC.remove(TRACE_ID);
      MDC.remove(SPAN_ID);
    }
  }

  /** The pattern of the route that served a request, or null when none matched. */
  private static String routePattern(RoutingContext ctx) {
    String matched = ctx.get(ROUTE);
    if (matched != null) {
      return matched;
    }
    Route current = ctx.currentRoute();
    return current != null ? current.getPath() : null;
  }

  private void log(RoutingContext ctx, long started) {
    String route = routePattern(ctx);
    List<KeyValuePair> pairs = new ArrayList<>(7);
    pairs.add(new KeyValuePair("method", ctx.request().method().name()));
    pairs.add(new KeyValuePair("route", route != null ? route : "unmatched"));
    pairs.add(new KeyValuePair("status", ctx.response().getStatusCode()));
    pairs.add(new KeyValuePair("latencyMs", (System.nanoTime() - started) / 1000 / 1000.0));
    pairs.add(new KeyValuePair("bytes", ctx.response().bytesWritten()));
    Owner owner = ctx.get(OWNER);
    if (owner != null) {
      String pseudonym = pseudonyms.of(owner.id());
      boolean user = owner.type().equals("user");
      pairs.add(new KeyValuePair("cart", (user ? "u:" : "g:") + pseudonym));
      if (user) {
        pairs.add(new KeyValuePair("user", pseudonym));
      }
    }
    // Built directly rather than through SLF4J's fluent API and the MDC: the MDC adapter copies
    // its map for every event, and this line is written for every request.
    LoggingEvent line = new LoggingEvent(FQCN, ACCESS, Level.INFO, "access", null, null);
    SpanContext span = ctx.get(SPAN);
    line.setMDCPropertyMap(
        span == null
            ? Map.of(REQUEST_ID, RequestIds.of(ctx))
            : Map.of(
                REQUEST_ID,
                RequestIds.of(ctx),
                TRACE_ID,
                span.getTraceId(),
                SPAN_ID,
                span.getSpanId()));
    line.setKeyValuePairs(pairs);
    ACCESS.callAppenders(line);
  }
}
