package com.cartgateway.durability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cartgateway.durability.GroupProgress.PartitionProgress;
import com.cartgateway.durability.GroupProgress.Snapshot;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the write-behind progress names a cart's partition and says when it is caught up")
class GroupProgressTest {

  @Test
  @DisplayName(
      "partitionOf agrees with the Kafka producer's partitioner for any key and partition count")
  void partitionOfIsTheProducers() {
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      String cartId = key(random, i);
      byte[] bytes = cartId.getBytes(StandardCharsets.UTF_8);
      int partitions = 1 + random.nextInt(256);
      int ours = GroupProgress.partitionOf(cartId, partitions);
      assertThat(ours)
          .as("%s over %d partitions", cartId, partitions)
          .isEqualTo(BuiltInPartitioner.partitionForKey(bytes, partitions))
          .isEqualTo(Utils.toPositive(Utils.murmur2(bytes)) % partitions);
    }
  }

  @Test
  @DisplayName("a partition is caught up only when the committed offset reaches the end offset")
  void caughtUpNeedsTheCommitAtTheEnd() {
    assertThat(new PartitionProgress(0, 10, 10).caughtUp()).isTrue();
    assertThat(new PartitionProgress(0, 10, 10).lagEvents()).isZero();
    assertThat(new PartitionProgress(0, 9, 10).caughtUp()).isFalse();
    assertThat(new PartitionProgress(0, 9, 10).lagEvents()).isEqualTo(1);
    // A group that never committed owes every event the partition ever had...
    assertThat(new PartitionProgress(0, -1, 3).caughtUp()).isFalse();
    assertThat(new PartitionProgress(0, -1, 3).lagEvents()).isEqualTo(3);
    // ...and nothing on a partition that never had one.
    assertThat(new PartitionProgress(0, -1, 0).caughtUp()).isTrue();
  }

  @Test
  @DisplayName("a cart is caught up when its own partition is, whatever the others")
  void cartFollowsItsPartition() {
    String cart = "u:alice";
    int mine = GroupProgress.partitionOf(cart, 3);
    Map<Integer, PartitionProgress> partitions = new TreeMap<>();
    for (int p = 0; p < 3; p++) {
      partitions.put(
          p, p == mine ? new PartitionProgress(p, 5, 5) : new PartitionProgress(p, 1, 7));
    }
    Snapshot snapshot = new Snapshot("g", Instant.now(), 0, new TreeMap<>(partitions));

    assertThat(snapshot.partitionOf(cart)).isEqualTo(mine);
    assertThat(snapshot.caughtUp(cart)).isTrue();
    assertThat(snapshot.caughtUp()).isFalse();
    assertThat(snapshot.lagEvents()).isEqualTo(12);
    assertThat(snapshot.lagEvents(mine)).isZero();
    assertThatThrownBy(() -> snapshot.lagEvents(3)).isInstanceOf(IllegalArgumentException.class);
  }

  /** Cart ids as the gateway makes them, plus odd ones: empty, non-ASCII, long. */
  private static String key(Random random, int i) {
    return switch (i % 5) {
      case 0 -> "u:" + UUID.randomUUID();
      case 1 -> "g:" + Long.toHexString(random.nextLong());
      case 2 -> "u:" + "é漢字🛒".repeat(1 + random.nextInt(4)) + i;
      case 3 -> "x".repeat(random.nextInt(300));
      default -> Integer.toString(random.nextInt());
    };
  }
}
