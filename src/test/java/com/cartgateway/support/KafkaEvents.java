package com.cartgateway.support;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads back, from the real broker, the events of one cart on one topic. */
public final class KafkaEvents {
  private KafkaEvents() {}

  /** Every event keyed by the cart id on the topic, from the beginning, read for {@code wait}. */
  public static List<JsonObject> of(String topic, String cartId, Duration wait) {
    Map<String, Object> settings =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            TestServices.get().kafkaBootstrap(),
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false);
    List<JsonObject> events = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(settings)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Instant deadline = Instant.now().plus(wait);
      while (Instant.now().isBefore(deadline)) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          if (cartId.equals(record.key())) {
            events.add(new JsonObject(record.value()));
          }
        }
      }
    }
    return events;
  }

  /** Polls until the cart has {@code count} events on the topic, or the deadline passes. */
  public static List<JsonObject> await(String topic, String cartId, int count, Duration within) {
    Instant deadline = Instant.now().plus(within);
    List<JsonObject> events = of(topic, cartId, Duration.ofMillis(500));
    while (events.size() < count && Instant.now().isBefore(deadline)) {
      events = of(topic, cartId, Duration.ofMillis(500));
    }
    return events;
  }
}
