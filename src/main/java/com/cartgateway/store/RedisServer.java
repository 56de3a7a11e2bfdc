package com.cartgateway.store;

import com.cartgateway.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Commands about the servers rather than the data: the readiness ping, the masters, the slots each
 * serves and the scripts each has loaded.
 */
public final class RedisServer {
  private RedisServer() {}

  /** Succeeds when the server answers. */
  public static Future<Void> ping(RedisGateway redis) {
    return redis.send(Request.cmd(Command.PING)).mapEmpty();
  }

  /**
   * The URL of each master: in a cluster, every node that serves slots (from {@code CLUSTER
   * SLOTS}), written as the seed URL with that node's host and port, so that credentials and scheme
   * carry over; otherwise the one configured endpoint. Sorted, so that two answers compare equal
   * when the masters are the same.
   */
  public static Future<List<String>> masters(RedisGateway redis, AppConfig.Redis config) {
    String seed = config.endpoints().get(0);
    if (!config.cluster()) {
      return Future.succeededFuture(List.of(seed));
    }
    return redis
        .send(Request.cmd(Command.CLUSTER).arg("SLOTS"))
        .map(
            slots -> {
              TreeSet<String> masters = new TreeSet<>();
              // Each range: [first slot, last slot, master [host, port, id], replicas...]
              for (Response range : slots) {
                Response master = range.get(2);
                masters.add(withNode(seed, master.get(0).toString(), master.get(1).toInteger()));
              }
              return List.copyOf(masters);
            });
  }

  /**
   * Loads the scripts on every master: a script cache is per server, and {@code SCRIPT LOAD}
   * through a cluster client reaches one node, so in a cluster each master gets them from a
   * short-lived client of its own. A master promoted or added later loads them on first use (EVAL
   * on NOSCRIPT).
   */
  public static Future<Void> loadOnEveryMaster(
      Vertx vertx, RedisGateway redis, AppConfig.Redis config, List<LuaScript> scripts) {
    if (!config.cluster()) {
      return redis.load(scripts);
    }
    return masters(redis, config)
        .compose(
            masters ->
                Future.all(masters.stream().map(m -> load(vertx, m, config, scripts)).toList()))
        .mapEmpty();
  }

  private static Future<Void> load(
      Vertx vertx, String master, AppConfig.Redis config, List<LuaScript> scripts) {
    RedisGateway server =
        RedisGateway.create(
            vertx,
            new AppConfig.Redis(
                List.of(master),
                false,
                1,
                config.commandTimeout(),
                config.waitReplicas(),
                config.waitTimeout()));
    return server.load(scripts).eventually(server::close);
  }

  /**
   * Which master serves each slot: in a cluster, the ranges of {@code CLUSTER SLOTS} with the id of
   * the node that serves each; otherwise one range of every slot. Sorted by first slot.
   */
  public static Future<List<SlotRange>> slotRanges(RedisGateway redis, AppConfig.Redis config) {
    if (!config.cluster()) {
      return Future.succeededFuture(
          List.of(new SlotRange(0, SlotTags.SLOTS - 1, config.endpoints().get(0))));
    }
    return redis
        .send(Request.cmd(Command.CLUSTER).arg("SLOTS"))
        .map(
            slots -> {
              List<SlotRange> ranges = new ArrayList<>();
              for (Response range : slots) {
                ranges.add(
                    new SlotRange(
                        range.get(0).toInteger(),
                        range.get(1).toInteger(),
                        range.get(2).get(2).toString()));
              }
              ranges.sort(Comparator.comparingInt(SlotRange::first));
              return List.copyOf(ranges);
            });
  }

  /**
   * Slots {@code first} to {@code last}, served by the master {@code master} (its node id in a
   * cluster, its URL otherwise).
   */
  public record SlotRange(int first, int last, String master) {
    /** Whether the range holds the slot. */
    public boolean holds(int slot) {
      return slot >= first && slot <= last;
    }
  }

  private static String withNode(String seed, String host, int port) {
    URI uri = URI.create(seed);
    try {
      return new URI(
              uri.getScheme(),
              uri.getUserInfo(),
              host,
              port,
              uri.getPath(),
              uri.getQuery(),
              uri.getFragment())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a Redis URL: " + seed, e);
    }
  }
}
