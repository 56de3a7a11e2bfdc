/**
 * W3C trace context ({@code traceparent}, {@code tracestate}): taken from a request or made at the
 * HTTP edge, kept on the request's Vert.x context, written on the Kafka records the request causes,
 * and read back by the worker, so that one trace id names a change from the HTTP request to its
 * DynamoDB write. Parsing and formatting are OpenTelemetry's W3C propagator. When an OTLP endpoint
 * is configured, {@link com.cartgateway.trace.SpanExport} exports those spans through the
 * OpenTelemetry SDK, with the same ids.
 */
package com.cartgateway.trace;
