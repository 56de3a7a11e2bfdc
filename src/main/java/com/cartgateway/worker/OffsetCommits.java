package com.cartgateway.worker;

import io.vertx.core.Future;
import io.vertx.kafka.client.consumer.KafkaReadStream;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The offsets a write-behind consumer commits, by hand and only after DynamoDB took the events they
 * cover. Offsets of written batches that Kafka refused to commit during a rebalance, for partitions
 * this consumer may keep (cooperative rebalancing leaves most in place), are committed at the next
 * chance, or a quiet partition would show a lag forever.
 */
final class OffsetCommits {
  private static final Logger LOG = Logger.getLogger(OffsetCommits.class.getName());

  private final KafkaReadStream<String, String> consumer;
  private final WriteBehindMetrics metrics;
  private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();

  OffsetCommits(KafkaReadStream<String, String> consumer, WriteBehindMetrics metrics) {
    this.consumer = consumer;
    this.metrics = metrics;
  }

  /** Whether offsets a rebalance refused are still waiting for the next chance. */
  boolean pending() {
    return !uncommitted.isEmpty();
  }

  /** Forgets the offsets of revoked partitions: the next owner writes those events and commits. */
  void revoked(Collection<TopicPartition> partitions) {
    uncommitted.keySet().removeAll(partitions);
  }

  /**
   * Commits the offsets after a written batch, for the partitions this consumer still owns, with
   * any a rebalance refused before. A refused commit is logged and kept for the next chance; a
   * partition that moved is left to its next owner, which writes those events again, harmlessly.
   */
  Future<Void> commit(List<ConsumerRecord<String, String>> written) {
    offsets(written)
        .forEach(
            (partition, offset) ->
                uncommitted.merge(partition, offset, (a, b) -> a.offset() >= b.offset() ? a : b));
    return consumer
        .assignment()
        .compose(
            owned -> {
              uncommitted.keySet().retainAll(owned);
              Map<TopicPartition, OffsetAndMetadata> mine = Map.copyOf(uncommitted);
              return mine.isEmpty()
                  ? Future.<Void>succeededFuture()
                  : consumer
                      .commit(mine)
                      .onSuccess(
                          committed ->
                              mine.forEach(
                                  (partition, offset) -> uncommitted.remove(partition, offset)))
                      .<Void>mapEmpty();
            })
        .recover(
            e -> {
              metrics.commitFailures.increment();
              LOG.warning("offset commit refused; it is tried again after the next poll: " + e);
              return Future.succeededFuture();
            });
  }

  /** For each partition of the batch, the offset after its last record. */
  private static Map<TopicPartition, OffsetAndMetadata> offsets(
      List<ConsumerRecord<String, String>> batch) {
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    for (ConsumerRecord<String, String> record : batch) {
      next.merge(
          new TopicPartition(record.topic(), record.partition()),
          new OffsetAndMetadata(record.offset() + 1),
          (a, b) -> a.offset() >= b.offset() ? a : b);
    }
    return next;
  }
}
