package com.cartgateway.sync;

import com.cartgateway.trace.Traces;
import io.opentelemetry.api.trace.SpanContext;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Continues the trace of the requests behind the records the worker writes: each stored record is
 * logged (at DEBUG) with its own trace id, and a failed batch names the trace ids it holds.
 */
final class RecordTraces {
  static final String TRACE_ID = "traceId";
  static final String SPAN_ID = "spanId";
  static final String TRACE_IDS = "traceIds";

  // A batch has up to worker.maxPollRecords records; a log line names a few of their traces.
  private static final int MOST_IDS = 20;

  private static final Logger LOG = LoggerFactory.getLogger(WriteBehindVerticle.class);

  private RecordTraces() {}

  /** The trace context a record carries, invalid when it has none. */
  static SpanContext of(ConsumerRecord<?, ?> record) {
    return Traces.remote(
        name -> {
          Header header = record.headers().lastHeader(name);
          return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        });
  }

  /** One DEBUG line a record written to DynamoDB, in the record's trace. */
  static void written(List<ConsumerRecord<String, String>> batch) {
    if (!LOG.isDebugEnabled()) {
      return;
    }
    for (ConsumerRecord<String, String> record : batch) {
      SpanContext span = of(record);
      if (span.isValid()) {
        MDC.put(TRACE_ID, span.getTraceId());
        MDC.put(SPAN_ID, span.getSpanId());
      }
      try {
        LOG.atDebug()
            .addKeyValue("topic", record.topic())
            .addKeyValue("partition", record.partition())
            .addKeyValue("offset", record.offset())
            .log("stored in DynamoDB");
      } finally {
        MDC.remove(TRACE_ID);
        MDC.remove(SPAN_ID);
      }
    }
  }

  /** Runs a logging call about a whole batch with the batch's trace ids in the MDC. */
  static void withTraceIds(List<ConsumerRecord<String, String>> batch, Runnable logging) {
    Set<String> ids = new LinkedHashSet<>();
    for (ConsumerRecord<String, String> record : batch) {
      SpanContext span = of(record);
      if (span.isValid() && ids.size() < MOST_IDS) {
        ids.add(span.getTraceId());
      }
    }
    MDC.put(TRACE_IDS, String.join(",", ids));
    try {
      logging.run();
    } finally {
      MDC.remove(TRACE_IDS);
    }
  }
}
