package com.cartgateway.worker;

import com.cartgateway.events.Topics;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * How far DynamoDB is behind {@code cart.events}: for each partition, the events after the worker
 * group's committed offset. The worker commits only what DynamoDB has stored, so a lag of zero on a
 * cart's partition means every event of that cart acknowledged so far is in DynamoDB. Asks the
 * brokers through the process's thread-safe {@link Admin} client.
 */
public final class WriteBehindLag {
  private final Admin admin;
  private final String groupId;

  /**
   * @param admin the process's Kafka admin client
   * @param groupId the worker's consumer group
   */
  public WriteBehindLag(Admin admin, String groupId) {
    this.admin = admin;
    this.groupId = groupId;
  }

  /**
   * The partition of {@code cart.events} that holds a cart's events: the Kafka producer's default
   * choice for a keyed record (murmur2 of the key).
   *
   * @param cartId the cart id, which is the record key
   * @param partitionCount the partitions of {@code cart.events}
   */
  public static TopicPartition partitionOf(String cartId, int partitionCount) {
    byte[] key = cartId.getBytes(StandardCharsets.UTF_8);
    return new TopicPartition(
        Topics.CART_EVENTS, Utils.toPositive(Utils.murmur2(key)) % partitionCount);
  }

  /**
   * The events not yet stored, by partition: the log end offset minus the group's committed offset
   * (minus the earliest offset where the group has committed nothing, since it starts there).
   *
   * @param partitions the partitions to ask about
   * @return the lag of each partition; fails when the brokers do not answer
   */
  public CompletionStage<Map<TopicPartition, Long>> byPartition(Set<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    CompletionStage<Map<TopicPartition, OffsetAndMetadata>> committed =
        admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().toCompletionStage();
    CompletionStage<Map<TopicPartition, ListOffsetsResultInfo>> ends =
        admin.listOffsets(spec(partitions, OffsetSpec.latest())).all().toCompletionStage();
    CompletionStage<Map<TopicPartition, ListOffsetsResultInfo>> starts =
        admin.listOffsets(spec(partitions, OffsetSpec.earliest())).all().toCompletionStage();
    return committed.thenCombine(
        ends.thenCombine(starts, Offsets::new),
        (done, offsets) -> {
          Map<TopicPartition, Long> lag = new HashMap<>();
          for (TopicPartition partition : partitions) {
            OffsetAndMetadata commit = done.get(partition);
            long from = commit != null ? commit.offset() : offsets.start().get(partition).offset();
            lag.put(partition, Math.max(0, offsets.end().get(partition).offset() - from));
          }
          return lag;
        });
  }

  private static Map<TopicPartition, OffsetSpec> spec(
      Set<TopicPartition> partitions, OffsetSpec spec) {
    return partitions.stream().collect(Collectors.toMap(Function.identity(), p -> spec));
  }

  private record Offsets(
      Map<TopicPartition, ListOffsetsResultInfo> end,
      Map<TopicPartition, ListOffsetsResultInfo> start) {}
}
