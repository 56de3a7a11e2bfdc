package com.cartgateway.worker;

import com.cartgateway.trace.Traces;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
 * logged (at DEBUG) with its own trace id, and, when spans are exported, gets a consumer span in
 * its trace; a failed batch names the trace ids it holds.
 */
final class RecordTraces {
  static final String TRACE_ID = "traceId";
  static final String SPAN_ID = "spanId";
  static final String TRACE_IDS = "traceIds";

  // A batch has up to worker.maxPollRecords records; a log line names a few of their traces.
  private static final int MOST_IDS = 20;

  private static final AttributeKey<String> MESSAGING_SYSTEM =
      AttributeKey.stringKey("messaging.system");
  private static final AttributeKey<String> MESSAGING_OPERATION =
      AttributeKey.stringKey("messaging.operation.type");
  private static final AttributeKey<String> MESSAGING_DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  private static final AttributeKey<String> MESSAGING_PARTITION =
      AttributeKey.stringKey("messaging.destination.partition.id");
  private static final AttributeKey<Long> MESSAGING_OFFSET =
      AttributeKey.longKey("messaging.kafka.offset");
  private static final AttributeKey<String> MESSAGING_GROUP =
      AttributeKey.stringKey("messaging.consumer.group.name");

  private static final Logger LOG = LoggerFactory.getLogger(WriteBehindLoop.class);

  private RecordTraces() {}

  /** The trace context a record carries, invalid when it has none. */
  static SpanContext of(ConsumerRecord<?, ?> record) {
    return Traces.remote(
        name -> {
          Header header = record.headers().lastHeader(name);
          return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        });
  }

  /** One DEBUG line per record written to DynamoDB, in the record's trace. */
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

  /**
   * One consumer span a traced record of a batch DynamoDB has taken, a child of the span that
   * published the record, from the start of the batch's write to now.
   *
   * @param tracer the tracer of the exported spans
   * @param batch the records written
   * @param started when the worker started to write the batch
   * @param group the worker's consumer group
   */
  static void export(
      Tracer tracer, List<ConsumerRecord<String, String>> batch, Instant started, String group) {
    for (ConsumerRecord<String, String> record : batch) {
      SpanContext parent = of(record);
      if (parent.isValid()) {
        tracer
            .spanBuilder("process " + record.topic())
            .setSpanKind(SpanKind.CONSUMER)
            .setParent(Context.root().with(Span.wrap(parent)))
            .setStartTimestamp(started)
            .setAttribute(MESSAGING_SYSTEM, "kafka")
            .setAttribute(MESSAGING_OPERATION, "process")
            .setAttribute(MESSAGING_DESTINATION, record.topic())
            .setAttribute(MESSAGING_PARTITION, String.valueOf(record.partition()))
            .setAttribute(MESSAGING_OFFSET, record.offset())
            .setAttribute(MESSAGING_GROUP, group)
            .startSpan()
            .end();
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
