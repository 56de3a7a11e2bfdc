package com.cartgateway.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.config.AppConfig;
import com.cartgateway.config.Role;
import io.opentelemetry.api.trace.Span;
import java.net.URI;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("span export")
class SpanExportTest {

  @Test
  @DisplayName("without an endpoint no SDK is built")
  void offByDefault() {
    assertThat(
            SpanExport.start(
                new AppConfig.Tracing(Optional.empty(), "cart-gateway"), Set.of(Role.HTTP)))
        .isEmpty();
  }

  @Test
  @DisplayName("with an endpoint the tracer records and samples the spans it starts")
  void onWithEndpoint() {
    SpanExport export =
        SpanExport.start(
                new AppConfig.Tracing(
                    Optional.of(URI.create("http://127.0.0.1:9/v1/traces")), "cart-gateway"),
                Set.of(Role.HTTP, Role.WORKER))
            .orElseThrow();
    try {
      Span span = export.tracer().spanBuilder("GET /health/live").startSpan();
      assertThat(span.isRecording()).isTrue();
      assertThat(span.getSpanContext().isValid()).isTrue();
      assertThat(span.getSpanContext().isSampled()).isTrue();
    } finally {
      export.close(5, TimeUnit.SECONDS);
    }
  }
}
