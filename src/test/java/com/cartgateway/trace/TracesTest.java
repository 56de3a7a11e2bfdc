package com.cartgateway.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanContext;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("trace contexts")
class TracesTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT = "00f067aa0ba902b7";

  @Test
  @DisplayName("a valid traceparent gives a child span of the same trace, with its flags and state")
  void child() {
    SpanContext span =
        Traces.serverSpan(
            Map.of("traceparent", "00-" + TRACE + "-" + PARENT + "-01", "tracestate", "rojo=1")
                ::get);

    assertThat(span.getTraceId()).isEqualTo(TRACE);
    assertThat(span.getSpanId()).hasSize(16).isNotEqualTo(PARENT);
    assertThat(span.isSampled()).isTrue();
    assertThat(written(span))
        .containsEntry("traceparent", "00-" + TRACE + "-" + span.getSpanId() + "-01")
        .containsEntry("tracestate", "rojo=1");
  }

  @Test
  @DisplayName("an absent or malformed traceparent starts a new trace")
  void newTrace() {
    String[] bad = {
      null,
      "",
      "garbage",
      "00-" + TRACE + "-" + PARENT,
      "00-00000000000000000000000000000000-" + PARENT + "-01",
      "00-" + TRACE + "-0000000000000000-01",
      "ff-" + TRACE + "-" + PARENT + "-01",
      "00-" + TRACE.toUpperCase() + "-" + PARENT + "-01"
    };
    for (String header : bad) {
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("traceparent", header);
      SpanContext span = Traces.serverSpan(headers::get);

      assertThat(span.isValid()).as(header).isTrue();
      assertThat(span.getTraceId()).as(header).isNotEqualTo(TRACE);
      assertThat(written(span).get("traceparent"))
          .as(header)
          .isEqualTo("00-" + span.getTraceId() + "-" + span.getSpanId() + "-00");
      assertThat(written(span)).as(header).doesNotContainKey("tracestate");
    }
  }

  @Test
  @DisplayName("two requests without a traceparent get two traces")
  void distinct() {
    Map<String, String> none = Map.of();
    assertThat(Traces.serverSpan(none::get).getTraceId())
        .isNotEqualTo(Traces.serverSpan(none::get).getTraceId());
  }

  @Test
  @DisplayName("what is written reads back as the same span (the worker's side of a record)")
  void roundTrip() {
    SpanContext span = Traces.serverSpan(Map.<String, String>of()::get);

    SpanContext read = Traces.remote(written(span)::get);

    assertThat(read.getTraceId()).isEqualTo(span.getTraceId());
    assertThat(read.getSpanId()).isEqualTo(span.getSpanId());
  }

  private static Map<String, String> written(SpanContext span) {
    Map<String, String> headers = new LinkedHashMap<>();
    Traces.write(span, headers::put);
    return headers;
  }
}
