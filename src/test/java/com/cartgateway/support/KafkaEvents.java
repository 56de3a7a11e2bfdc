package com.cartgateway.support;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
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
import org.apache.kafka.common.utils.Utils;

/**
 * Reads back, from the real broker, the events of one cart on one topic: from the beginning of the
 * cart's partition (the producer's default partitioner: murmur2 of the key), always at least up to
 * the end the partition had when called, however much other tests wrote before.
 */
public final class KafkaEvents {
  // Reading a partition's whole history is bounded too, beyond the wait asked for.
  private static final Duration HISTORY = Duration.ofSeconds(60);

  private KafkaEvents() {}

  /**
   * Every event keyed by the cart id: all written before the call, and any more for {@code wait}.
   */
  public static List<JsonObject> of(String topic, String cartId, Duration wait) {
    return values(read(topic, cartId, Integer.MAX_VALUE, wait));
  }

  /** Reads until the cart has {@code count} events on the topic, or {@code within} passes. */
  public static List<JsonObject> await(String topic, String cartId, int count, Duration within) {
    return values(read(topic, cartId, count, within));
  }

  /** As {@link #await}, with the whole records (headers too). */
  public static List<ConsumerRecord<String, String>> awaitRecords(
      String topic, String cartId, int count, Duration within) {
    return read(topic, cartId, count, within);
  }

  private static List<JsonObject> values(List<ConsumerRecord<String, String>> records) {
    List<JsonObject> events = new ArrayList<>();
    records.forEach(record -> events.add(new JsonObject(record.value())));
    return events;
  }

  private static List<ConsumerRecord<String, String>> read(
      String topic, String cartId, int count, Duration wait) {
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
    List<ConsumerRecord<String, String>> events = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(settings)) {
      int partitions = consumer.partitionsFor(topic).size();
      TopicPartition partition =
          new TopicPartition(
              topic,
              Utils.toPositive(Utils.murmur2(cartId.getBytes(StandardCharsets.UTF_8)))
                  % partitions);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      Instant deadline = Instant.now().plus(wait);
      Instant limit = deadline.plus(HISTORY);
      while (Instant.now().isBefore(limit)) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          if (cartId.equals(record.key())) {
            events.add(record);
          }
        }
        boolean readAll = consumer.position(partition) >= end;
        if (readAll && (events.size() >= count || Instant.now().isAfter(deadline))) {
          break;
        }
      }
    }
    return events;
  }
}
