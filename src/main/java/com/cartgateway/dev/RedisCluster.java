package com.cartgateway.dev;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A Redis Cluster of real servers on loopback: three masters owning a third of the 16,384 slots
 * each and one replica each, formed with the cluster commands themselves (MEET, ADDSLOTS,
 * REPLICATE), as {@code redis-cli --cluster create} does. A restart on a data folder finds the
 * cluster formed already ({@code nodes.conf}) and only waits for it.
 */
final class RedisCluster {
  static final int MASTERS = 3;
  private static final int SLOTS = 16_384;
  private static final Duration FORM_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(100);

  private final List<RedisServerProcess> nodes;

  /** {@code nodes}: the masters first, then their replicas in the same order. */
  RedisCluster(List<RedisServerProcess> nodes) {
    if (nodes.size() != 2 * MASTERS) {
      throw new IllegalArgumentException("a cluster of " + 2 * MASTERS + " nodes");
    }
    this.nodes = List.copyOf(nodes);
  }

  /**
   * Six servers in cluster mode on free ports, each in {@code root/redis-<n>}, keeping {@code
   * nodes.conf} and an append-only file, so that a restarted master comes back with its data as a
   * replica would resync it.
   */
  static List<RedisServerProcess> nodes(Path binary, Path root) {
    List<RedisServerProcess> nodes = new ArrayList<>();
    for (int i = 1; i <= 2 * MASTERS; i++) {
      nodes.add(
          new RedisServerProcess(
              "redis-" + i,
              binary,
              FreePorts.nextWithClusterBus(),
              root.resolve("redis-" + i),
              true,
              true));
    }
    return nodes;
  }

  List<RedisServerProcess> nodes() {
    return nodes;
  }

  /** {@code redis://127.0.0.1:port} of every node, comma-separated: the gateway's seed list. */
  String urls() {
    return nodes.stream()
        .map(node -> "redis://" + ManagedService.HOST + ":" + node.port())
        .collect(Collectors.joining(","));
  }

  /** Forms the cluster once its servers run; returns when every slot is served and replicated. */
  void form() {
    Instant deadline = Instant.now().plus(FORM_TIMEOUT);
    try {
      if (knownNodes(nodes.get(0)) < nodes.size()) {
        for (RedisServerProcess node : nodes.subList(1, nodes.size())) {
          nodes.get(0).call("CLUSTER", "MEET", ManagedService.HOST, Integer.toString(node.port()));
        }
        for (int i = 0; i < MASTERS; i++) {
          List<String> command = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
          for (int slot = i * SLOTS / MASTERS; slot < (i + 1) * SLOTS / MASTERS; slot++) {
            command.add(Integer.toString(slot));
          }
          nodes.get(i).call(command.toArray(String[]::new));
        }
        // A replica can follow a master only once gossip has told it about that master.
        await(deadline, "every node to know every other", () -> allKnowEveryNode());
        for (int i = 0; i < MASTERS; i++) {
          String masterId = nodes.get(i).call("CLUSTER", "MYID");
          nodes.get(MASTERS + i).call("CLUSTER", "REPLICATE", masterId);
        }
      }
      await(deadline, "cluster_state:ok on every node", () -> allOk());
      await(deadline, "every master to have a synced replica", () -> replicasSynced());
    } catch (IOException e) {
      throw new DevServicesException("could not form the Redis Cluster: " + e.getMessage(), e);
    }
  }

  private int knownNodes(RedisServerProcess node) throws IOException {
    return (int) node.call("CLUSTER", "NODES").lines().filter(l -> !l.isBlank()).count();
  }

  private boolean allKnowEveryNode() throws IOException {
    for (RedisServerProcess node : nodes) {
      if (knownNodes(node) < nodes.size()) {
        return false;
      }
    }
    return true;
  }

  private boolean allOk() throws IOException {
    for (RedisServerProcess node : nodes) {
      if (!node.call("CLUSTER", "INFO").contains("cluster_state:ok")) {
        return false;
      }
    }
    return true;
  }

  private boolean replicasSynced() throws IOException {
    int synced = 0;
    for (RedisServerProcess node : nodes) {
      String replication = node.call("INFO", "replication");
      if (replication.contains("role:slave") && replication.contains("master_link_status:up")) {
        synced++;
      }
    }
    return synced >= MASTERS;
  }

  private interface Check {
    boolean holds() throws IOException;
  }

  private static void await(Instant deadline, String what, Check check) throws IOException {
    IOException last = null;
    while (Instant.now().isBefore(deadline)) {
      try {
        if (check.holds()) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      ChildProcess.sleep(POLL);
    }
    throw new IOException(
        "no "
            + what
            + " within "
            + FORM_TIMEOUT.toSeconds()
            + " s"
            + (last == null ? "" : ": " + last));
  }
}
