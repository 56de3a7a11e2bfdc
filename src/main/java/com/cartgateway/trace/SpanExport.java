package com.cartgateway.trace;

import com.cartgateway.config.AppConfig;
import com.cartgateway.config.Role;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The OpenTelemetry SDK of a process that exports its spans over OTLP/HTTP: one tracer provider,
 * whose batch processor sends the ended spans in the background. Only built when an endpoint is
 * configured; without one the gateway makes its trace context by hand ({@link Traces}) and no SDK
 * object exists.
 */
public final class SpanExport {
  /** The resource attribute naming the roles of the process that made a span. */
  static final AttributeKey<String> ROLES = AttributeKey.stringKey("cart.roles");

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final String SCOPE = "com.cartgateway";

  private final SdkTracerProvider provider;
  private final Tracer tracer;

  private SpanExport(SdkTracerProvider provider) {
    this.provider = provider;
    this.tracer = provider.get(SCOPE);
  }

  /**
   * Starts the export of a process, when the configuration names an endpoint.
   *
   * @param tracing the export settings
   * @param roles the roles of the process, recorded on its resource
   * @return the export, or empty when spans are not exported
   */
  public static Optional<SpanExport> start(AppConfig.Tracing tracing, Set<Role> roles) {
    return tracing
        .otlpEndpoint()
        .map(
            endpoint -> {
              Resource resource =
                  Resource.getDefault()
                      .merge(
                          Resource.create(
                              Attributes.of(
                                  SERVICE_NAME,
                                  tracing.serviceName(),
                                  ROLES,
                                  roles.stream()
                                      .map(role -> role.name().toLowerCase(Locale.ROOT))
                                      .sorted()
                                      .collect(Collectors.joining(",")))));
              return new SpanExport(
                  SdkTracerProvider.builder()
                      .setResource(resource)
                      .addSpanProcessor(
                          BatchSpanProcessor.builder(
                                  OtlpHttpSpanExporter.builder()
                                      .setEndpoint(endpoint.toString())
                                      .build())
                              .build())
                      .build());
            });
  }

  /** The tracer of the gateway's spans. */
  public Tracer tracer() {
    return tracer;
  }

  /**
   * Sends the spans still queued, then stops; blocks for up to the given time.
   *
   * @param timeout how long to wait for the last export
   * @param unit the unit of {@code timeout}
   */
  public void close(long timeout, TimeUnit unit) {
    provider.shutdown().join(timeout, unit);
  }
}
