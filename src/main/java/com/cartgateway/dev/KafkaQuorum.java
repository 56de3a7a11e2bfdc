package com.cartgateway.dev;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * The nodes of one KRaft cluster: its id (the same for all when formatting the storage), each
 * node's id and ports, and so the voters and the replication every topic gets.
 *
 * @param clusterId the cluster's id
 * @param brokerPorts the client port of node {@code i + 1}
 * @param controllerPorts the controller port of node {@code i + 1}
 */
record KafkaQuorum(String clusterId, List<Integer> brokerPorts, List<Integer> controllerPorts) {
  /** The brokers of a cluster: enough for replication factor 3 with one broker down. */
  static final int CLUSTER_NODES = 3;

  /** {@code nodes} nodes on free ports, with a new cluster id. */
  static KafkaQuorum of(int nodes) {
    List<Integer> ports = new ArrayList<>();
    List<Integer> controllers = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      ports.add(FreePorts.next());
      controllers.add(FreePorts.next());
    }
    return new KafkaQuorum(Uuid.randomUuid().toString(), ports, controllers);
  }

  /**
   * A broker for each node: {@code kafka} in {@code root/kafka} alone, else {@code kafka-<id>} in
   * {@code root/kafka-<id>}.
   */
  List<KafkaBrokerProcess> brokers(JavaLauncher java, Path root, Path workDir) {
    List<KafkaBrokerProcess> brokers = new ArrayList<>();
    for (int id = 1; id <= brokerPorts.size(); id++) {
      String name = brokerPorts.size() == 1 ? "kafka" : "kafka-" + id;
      brokers.add(
          new KafkaBrokerProcess(
              java,
              name,
              this,
              id,
              root.resolve(name),
              workDir.resolve(brokerPorts.size() == 1 ? "kafka-tmp" : "kafka-tmp-" + id)));
    }
    return brokers;
  }

  /** The replication factor of every topic: 3 in a cluster, so that a broker may die. */
  short replication() {
    return (short) Math.min(3, brokerPorts.size());
  }

  /** Acknowledgements an {@code acks=all} send needs: 2 of 3 in a cluster. */
  int minInsync() {
    return Math.max(1, replication() - 1);
  }

  String voters() {
    List<String> voters = new ArrayList<>();
    for (int i = 0; i < controllerPorts.size(); i++) {
      voters.add((i + 1) + "@" + ManagedService.HOST + ":" + controllerPorts.get(i));
    }
    return String.join(",", voters);
  }

  /** Every node's {@code 127.0.0.1:port}, comma-separated, for {@code bootstrap.servers}. */
  String bootstrapServers() {
    return String.join(
        ",", brokerPorts.stream().map(port -> ManagedService.HOST + ":" + port).toList());
  }
}
