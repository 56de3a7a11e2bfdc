package com.cartgateway.durability;

import com.cartgateway.config.AppConfig;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisServer;
import com.cartgateway.store.SlotTags;
import com.cartgateway.store.StoreUnavailableException;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The epoch of each Redis shard ({@link Epoch}): one per master, kept in the first slot it serves,
 * so that a shard that loses its data (a failover to an empty replica, a restart without
 * persistence) loses its epoch with it, and holds back only its own carts and SKUs while the others
 * go on. A single Redis is one shard. Which master serves a slot is read from the cluster's slot
 * map at every watch (each second) and whenever a slot falls outside the ranges known.
 *
 * <p>A slot moved by a resharding takes its keys but not its epoch: a shard that is still catching
 * up when its slots move lends them the epoch of their new master. Reshard only when {@code
 * /health/ready} shows every shard writable ({@code docs/durability.md}).
 *
 * <p>One instance per verticle, used on its event loop.
 */
public final class Epochs {
  private final RedisGateway redis;
  private final AppConfig.Redis config;
  private final Duration publishWindow;
  private final Clock clock;
  private List<RedisServer.SlotRange> ranges = List.of();
  private Map<String, Epoch> byMaster = Map.of();
  private List<Epoch> all = List.of();

  /**
   * @param redis the verticle's Redis client
   * @param config the Redis configuration (cluster or not, the seed)
   * @param publishWindow the longest a change applied in Redis may take to reach Kafka or fail
   * @param clock the wall clock, shared by every process through each epoch's start time
   */
  public Epochs(RedisGateway redis, AppConfig.Redis config, Duration publishWindow, Clock clock) {
    this.redis = redis;
    this.config = config;
    this.publishWindow = publishWindow;
    this.clock = clock;
  }

  /** Reads the slot map again; answers every shard's epoch, in the order of their first slots. */
  public Future<List<Epoch>> refresh() {
    return RedisServer.slotRanges(redis, config)
        .map(
            read -> {
              Map<String, Integer> firstSlots = new HashMap<>();
              for (RedisServer.SlotRange range : read) {
                firstSlots.merge(range.master(), range.first(), Math::min);
              }
              Map<String, Epoch> epochs = new HashMap<>();
              List<Epoch> ordered = new ArrayList<>();
              // ranges come sorted by first slot, so each master's first range comes first
              for (RedisServer.SlotRange range : read) {
                if (range.first() == firstSlots.get(range.master())) {
                  Epoch epoch = new Epoch(redis, range.first(), publishWindow, clock);
                  epochs.put(range.master(), epoch);
                  ordered.add(epoch);
                }
              }
              ranges = read;
              byMaster = epochs;
              all = List.copyOf(ordered);
              return all;
            });
  }

  /** Every shard's epoch, as of the last read of the slot map. */
  public List<Epoch> all() {
    return all;
  }

  /** The epoch of the shard that serves {@code key}. */
  public Future<Epoch> of(String key) {
    int slot = SlotTags.slot(key);
    Epoch known = find(slot);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return refresh()
        .compose(
            read -> {
              Epoch found = find(slot);
              return found != null
                  ? Future.succeededFuture(found)
                  : Future.failedFuture(
                      new StoreUnavailableException(
                          "redis", new IllegalStateException("no master serves slot " + slot)));
            });
  }

  private Epoch find(int slot) {
    for (RedisServer.SlotRange range : ranges) {
      if (range.holds(slot)) {
        return byMaster.get(range.master());
      }
    }
    return null;
  }
}
