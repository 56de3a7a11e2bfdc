package com.cartgateway.sync;

import com.cartgateway.store.StoreUnavailableException;
import com.cartgateway.trace.Traces;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes JSON events to Kafka with {@code acks=all}, keyed by cart id. An event published on behalf
 * of a request carries the request's trace context as {@code traceparent} (and {@code tracestate})
 * record headers.
 */
public final class EventPublisher {
  private final Producer<String, String> producer;
  private final Context context;

  /**
   * @param producer the process's idempotent, acks=all producer
   * @param context the verticle's context, where completions come back
   */
  public EventPublisher(Producer<String, String> producer, Context context) {
    this.producer = producer;
    this.context = context;
  }

  /** Completes once every in-sync replica has the event; fails as unavailable otherwise. */
  public Future<Void> publish(String topic, String cartId, JsonObject event) {
    Promise<Void> written = Promise.promise();
    RecordHeaders headers = new RecordHeaders();
    SpanContext span = Traces.current();
    if (span != null) {
      Traces.write(
          span, (name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
    }
    // send() may block while it waits for metadata (a broker that is down): never on the loop.
    context
        .executeBlocking(
            () ->
                producer.send(
                    new ProducerRecord<>(topic, null, cartId, event.encode(), headers),
                    (metadata, error) ->
                        context.runOnContext(
                            ignored -> {
                              if (error == null) {
                                written.tryComplete();
                              } else {
                                written.tryFail(new StoreUnavailableException("kafka", error));
                              }
                            })),
            false)
        .onFailure(e -> written.tryFail(new StoreUnavailableException("kafka", e)));
    return written.future();
  }
}
