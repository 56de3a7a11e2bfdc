package com.cartgateway.durability;

import com.cartgateway.store.EpochRecords;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The epoch of one Redis shard's data ({@link RedisKeys#epoch}, a hash in the shard's first slot,
 * lost with everything else when the shard loses its data), by which the cart and catalog
 * rebuilders detect a loss and agree on what to restore ({@link Epochs} finds a key's). The first
 * process to find the shard without one starts it: the time it noticed. A change applied before the
 * loss may still be on its way to Kafka for the publish window after that, so nothing is restored
 * before the window is over; then the first process to look records each topic's end offsets
 * ({@link CatchUp}). The first process to set a field wins.
 */
public final class Epoch {
  private static final String SINCE = "since";
  private static final String CATALOG = "catalog";
  private static final String RESTORED = "restored";

  private final RedisGateway redis;
  private final int firstSlot;
  private final String key;
  private final Duration publishWindow;
  private final Clock clock;

  /**
   * @param redis the verticle's Redis client
   * @param firstSlot the first slot the shard's master serves, where the epoch is kept
   * @param publishWindow the longest a change applied in Redis may take to reach Kafka or fail
   * @param clock the wall clock, shared by every process through the epoch's start time
   */
  public Epoch(RedisGateway redis, int firstSlot, Duration publishWindow, Clock clock) {
    this.redis = redis;
    this.firstSlot = firstSlot;
    this.key = RedisKeys.epoch(firstSlot);
    this.publishWindow = publishWindow;
    this.clock = clock;
  }

  /** The first slot the shard's master serves: the shard's name in readiness and logs. */
  public int firstSlot() {
    return firstSlot;
  }

  /** The epoch's key: keys named after it with a suffix share its slot. */
  public String key() {
    return key;
  }

  /** The current epoch's fields, starting one now when the shard lost (or never had) it. */
  public Future<Map<String, String>> current() {
    return fields()
        .compose(
            epoch ->
                started(epoch)
                    ? Future.succeededFuture(epoch)
                    // The first process to notice sets it; everyone uses that one.
                    : EpochRecords.setIfAbsent(redis, key, SINCE, clock.millis())
                        .compose(set -> fields()));
  }

  /** Every field of the epoch; empty when the shard has none (lost its data, or never had one). */
  public Future<Map<String, String>> fields() {
    return EpochRecords.fields(redis, key);
  }

  /** Whether the fields are those of a started epoch. */
  public static boolean started(Map<String, String> epoch) {
    return epoch.containsKey(SINCE);
  }

  /** Whether a change applied before the epoch began may still be on its way to Kafka. */
  public boolean inPublishWindow(Map<String, String> epoch) {
    return clock.millis() < Long.parseLong(epoch.get(SINCE)) + publishWindow.toMillis();
  }

  /** Whether the catalog of the epoch whose fields these are is restored. */
  public static boolean catalogRestored(Map<String, String> epoch) {
    return RESTORED.equals(epoch.get(CATALOG));
  }

  /** Whether the catalog of the current epoch is restored (one field read). */
  public Future<Boolean> catalogRestored() {
    return EpochRecords.field(redis, key, CATALOG)
        .map(state -> state.filter(RESTORED::equals).isPresent());
  }

  /** Whether the catalog restore of the epoch whose fields these are has ended. */
  public static boolean catalogDone(Map<String, String> epoch) {
    return epoch.containsKey(CATALOG);
  }

  /** Marks the catalog of the current epoch restored. */
  public Future<Void> markCatalogRestored() {
    return EpochRecords.set(redis, key, CATALOG, RESTORED);
  }

  /**
   * The end offsets recorded in field {@code name}, recorded now from {@code ends} unless another
   * process recorded them first (then theirs).
   */
  Future<JsonObject> settle(
      Map<String, String> epoch, String name, Supplier<Future<JsonObject>> ends) {
    if (epoch.containsKey(name)) {
      return Future.succeededFuture(new JsonObject(epoch.get(name)));
    }
    return ends.get()
        .compose(
            read ->
                EpochRecords.setIfAbsent(redis, key, name, read.encode())
                    .compose(set -> EpochRecords.field(redis, key, name))
                    .map(recorded -> new JsonObject(recorded.orElseThrow())));
  }
}
