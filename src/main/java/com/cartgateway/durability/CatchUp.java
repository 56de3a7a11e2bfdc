package com.cartgateway.durability;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Whether DynamoDB has caught up with one topic after a Redis shard lost its data: the topic's end
 * offsets are recorded in the shard's epoch once its publish window is over (every change
 * acknowledged before the loss lies below them), and DynamoDB has every such change of a key once
 * the worker group has committed past them on the key's partition. Committed offsets only grow, so
 * a cached snapshot that already passed them is proof enough; else a fresh read decides.
 */
public final class CatchUp {
  private final GroupProgress progress;
  private final String endsField;

  /**
   * @param progress the process's reader of the worker group's progress on the topic
   * @param endsField the epochs' field that holds the topic's end offsets
   */
  public CatchUp(GroupProgress progress, String endsField) {
    this.progress = progress;
    this.endsField = endsField;
  }

  /**
   * Whether the group has passed the epoch's end offsets on every partition; records them first if
   * they are not yet. Call only once the epoch's publish window is over.
   *
   * @param epoch the shard's epoch, where the end offsets are recorded
   * @param fields the epoch's fields
   */
  public Future<Boolean> everyPartition(Epoch epoch, Map<String, String> fields) {
    return ends(epoch, fields)
        .compose(ends -> cachedThenFresh(snapshot -> passedAll(snapshot, ends)));
  }

  /**
   * Whether the group has passed the epoch's end offset on the partition of {@code key}; records
   * the end offsets first if they are not yet. Call only once the epoch's publish window is over.
   *
   * @param epoch the epoch of the key's shard, where the end offsets are recorded
   * @param fields the epoch's fields
   */
  public Future<Boolean> partitionOf(Epoch epoch, Map<String, String> fields, String key) {
    return ends(epoch, fields)
        .compose(ends -> cachedThenFresh(snapshot -> passed(snapshot, ends, key)));
  }

  /** Asks the cached snapshot first, and reads the offsets afresh only when it has not passed. */
  private Future<Boolean> cachedThenFresh(Predicate<GroupProgress.Snapshot> passed) {
    return progress
        .snapshot()
        .compose(
            cached ->
                passed.test(cached)
                    ? Future.succeededFuture(true)
                    : progress.fresh().map(passed::test));
  }

  /** The end offsets of the epoch, recorded from a read that starts now if not yet. */
  private Future<JsonObject> ends(Epoch epoch, Map<String, String> fields) {
    return epoch.settle(fields, endsField, () -> progress.fresh().map(CatchUp::endsOf));
  }

  private static JsonObject endsOf(GroupProgress.Snapshot fresh) {
    JsonObject ends = new JsonObject();
    for (GroupProgress.PartitionProgress p : fresh.partitions().values()) {
      ends.put(Integer.toString(p.partition()), p.end());
    }
    return ends;
  }

  private static boolean passedAll(GroupProgress.Snapshot snapshot, JsonObject ends) {
    return ends.fieldNames().stream().allMatch(p -> passed(snapshot, ends, Integer.parseInt(p)));
  }

  private static boolean passed(GroupProgress.Snapshot snapshot, JsonObject ends, String key) {
    return passed(snapshot, ends, snapshot.partitionOf(key));
  }

  private static boolean passed(GroupProgress.Snapshot snapshot, JsonObject ends, int partition) {
    Long end = ends.getLong(Integer.toString(partition));
    GroupProgress.PartitionProgress now = snapshot.partitions().get(partition);
    return end != null && now != null && Math.max(0, now.committed()) >= end;
  }
}
