package com.cartgateway.events;

import com.cartgateway.circuit.Circuits;
import com.cartgateway.store.StoreUnavailableException;
import com.cartgateway.trace.Traces;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes JSON events to Kafka with {@code acks=all}, keyed by cart id. An event published on behalf
 * of a request carries the request's trace context as {@code traceparent} (and {@code tracestate})
 * record headers. Sends go through the process's {@code kafka} circuit ({@link Circuits}), and
 * straight from the event loop while {@link DirectSends} says the producer cannot block.
 */
public final class EventPublisher {
  private final Producer<String, String> producer;
  private final DirectSends sends;
  private final Context context;
  private final Circuits circuits;

  /**
   * @param producer the process's idempotent, acks=all producer
   * @param sends when a send of that producer may go straight from the event loop
   * @param context the verticle's context, where completions come back
   */
  public EventPublisher(Producer<String, String> producer, DirectSends sends, Context context) {
    this.producer = producer;
    this.sends = sends;
    this.context = context;
    this.circuits = Circuits.of(context.owner());
  }

  /**
   * Completes once every in-sync replica has the event; fails as unavailable otherwise, at once
   * while the Kafka circuit is open. A send that was made is never cut short by the circuit: its
   * outcome is Kafka's (a failure after a send means "maybe written", as without a circuit).
   */
  public Future<Void> publish(String topic, String cartId, JsonObject event) {
    return circuits
        .<Void>call(Circuits.KAFKA, () -> send(topic, cartId, event))
        .recover(
            e ->
                Future.failedFuture(
                    e instanceof StoreUnavailableException
                        ? e
                        : new StoreUnavailableException("kafka", e)));
  }

  /**
   * Whether a publish made here now would fail without reaching Kafka ({@link Circuits#refuses}).
   */
  public boolean circuitOpen() {
    return circuits.refuses(Circuits.KAFKA);
  }

  /** The failure of a change refused because the Kafka circuit is open. */
  public static StoreUnavailableException circuitOpenFailure() {
    return new StoreUnavailableException(
        "kafka", new IllegalStateException("the Kafka circuit is open"));
  }

  private Future<Void> send(String topic, String cartId, JsonObject event) {
    Promise<Void> written = Promise.promise();
    RecordHeaders headers = new RecordHeaders();
    SpanContext span = Traces.current();
    if (span != null) {
      Traces.write(
          span, (name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
    }
    String value = event.encode();
    // A bound on the buffer the record takes (Latin-1 text is a byte a character; UTF-8 up to 3).
    long bytes = 3L * (cartId.length() + value.length());
    ProducerRecord<String, String> record =
        new ProducerRecord<>(topic, null, cartId, value, headers);
    boolean direct = sends.allowed(topic, bytes);
    sends.sending(bytes);
    Callable<Void> send =
        () -> {
          producer.send(
              record,
              (metadata, error) -> {
                sends.answered(topic, bytes, error == null);
                context.runOnContext(
                    ignored -> {
                      if (error == null) {
                        written.tryComplete();
                      } else {
                        written.tryFail(new StoreUnavailableException("kafka", error));
                      }
                    });
              });
          return null;
        };
    if (direct) {
      try {
        send.call();
      } catch (Exception e) {
        sends.answered(topic, bytes, false);
        written.tryFail(new StoreUnavailableException("kafka", e));
      }
    } else {
      // send() may block while it waits for metadata (a broker that is down): never on the loop.
      context
          .executeBlocking(send, false)
          .onFailure(
              e -> {
                sends.answered(topic, bytes, false);
                written.tryFail(new StoreUnavailableException("kafka", e));
              });
    }
    return written.future();
  }
}
