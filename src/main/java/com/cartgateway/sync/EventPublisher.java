package com.cartgateway.sync;

import com.cartgateway.store.StoreUnavailableException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes JSON events to Kafka with {@code acks=all}, keyed by cart id. */
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
    // send() may block while it waits for metadata (a broker that is down): never on the loop.
    context
        .executeBlocking(
            () ->
                producer.send(
                    new ProducerRecord<>(topic, cartId, event.encode()),
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
