package com.cartgateway.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Reads, makes and writes W3C trace contexts with OpenTelemetry's propagator, and keeps the one of
 * the request in flight on its Vert.x context (each request runs on its own duplicated context,
 * which every callback of that request shares).
 */
public final class Traces {
  /** The W3C header (and Kafka record header) that carries the trace and parent span ids. */
  public static final String TRACEPARENT = "traceparent";

  /** The W3C header (and Kafka record header) with vendor-specific trace data. */
  public static final String TRACESTATE = "tracestate";

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final Object LOCAL_KEY = Traces.class;

  private static final TextMapGetter<Function<String, String>> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Function<String, String> carrier) {
          return List.of(TRACEPARENT, TRACESTATE);
        }

        @Override
        public String get(Function<String, String> carrier, String key) {
          return carrier == null ? null : carrier.apply(key);
        }
      };

  private static final TextMapSetter<BiConsumer<String, String>> SETTER =
      (carrier, key, value) -> carrier.accept(key, value);

  private Traces() {}

  /**
   * The span of this server for a request: a child of the caller's span when {@code traceparent} is
   * valid, else the root of a new trace.
   *
   * @param headers the request's headers by name
   */
  public static SpanContext serverSpan(Function<String, String> headers) {
    SpanContext parent = remote(headers);
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (parent.isValid()) {
      return SpanContext.create(
          parent.getTraceId(), newSpanId(random), parent.getTraceFlags(), parent.getTraceState());
    }
    String traceId;
    do {
      traceId = TraceId.fromLongs(random.nextLong(), random.nextLong());
    } while (!TraceId.isValid(traceId));
    return SpanContext.create(
        traceId, newSpanId(random), TraceFlags.getDefault(), TraceState.getDefault());
  }

  /**
   * The caller's span context as {@code traceparent} and {@code tracestate} name it; invalid (see
   * {@link SpanContext#isValid()}) when they are absent or malformed.
   *
   * @param headers the headers by name (HTTP or Kafka)
   */
  public static SpanContext remote(Function<String, String> headers) {
    if (headers.apply(TRACEPARENT) == null) {
      return SpanContext.getInvalid();
    }
    return Span.fromContext(W3C.extract(io.opentelemetry.context.Context.root(), headers, GETTER))
        .getSpanContext();
  }

  /**
   * Writes {@code traceparent}, and {@code tracestate} when there is one, of a span.
   *
   * @param span the span whose children the receiver's spans will be
   * @param headers where to put each header
   */
  public static void write(SpanContext span, BiConsumer<String, String> headers) {
    W3C.inject(io.opentelemetry.context.Context.root().with(Span.wrap(span)), headers, SETTER);
  }

  /**
   * Keeps a request's span on its Vert.x context, for the Kafka records the request causes.
   *
   * @param context the request's (duplicated) context
   * @param span the server span of the request
   */
  public static void attach(Context context, SpanContext span) {
    ((ContextInternal) context).putLocal(LOCAL_KEY, span);
  }

  /** The span attached to the current Vert.x context, or null outside a traced request. */
  public static SpanContext current() {
    Context context = Vertx.currentContext();
    return context == null ? null : ((ContextInternal) context).getLocal(LOCAL_KEY);
  }

  private static String newSpanId(ThreadLocalRandom random) {
    String spanId;
    do {
      spanId = SpanId.fromLong(random.nextLong());
    } while (!SpanId.isValid(spanId));
    return spanId;
  }
}
