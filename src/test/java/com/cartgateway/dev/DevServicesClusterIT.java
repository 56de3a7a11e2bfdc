package com.cartgateway.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The cluster topology of the dev services, as {@code CART_DEV_TOPOLOGY=cluster} and the cluster
 * tests start it: a Redis Cluster of six real servers and three KRaft brokers replicating every
 * topic, each surviving the loss of one node.
 */
@DisplayName("dev services in the cluster topology")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevServicesClusterIT {
  private static DevServices services;

  @BeforeAll
  static void start() {
    services = DevServices.start(Optional.empty(), DevServices.Topology.CLUSTER);
  }

  @AfterAll
  static void stop() {
    if (services != null) {
      services.close();
    }
  }

  @Test
  @Order(1)
  @DisplayName("form a Redis Cluster of 3 masters serving every slot, each with a synced replica")
  void redisCluster() throws Exception {
    assertThat(services.topology()).isEqualTo(DevServices.Topology.CLUSTER);
    assertThat(services.redisUrl().split(",")).hasSize(6);
    int masters = 0;
    int replicas = 0;
    for (ManagedService node : services.redisNodes()) {
      String info = call(node, "CLUSTER", "INFO");
      assertThat(info)
          .contains("cluster_state:ok")
          .contains("cluster_slots_assigned:16384")
          .contains("cluster_known_nodes:6");
      String replication = call(node, "INFO", "replication");
      if (replication.contains("role:master")) {
        masters++;
        assertThat(replication).contains("connected_slaves:1");
      } else {
        replicas++;
        assertThat(replication).contains("master_link_status:up");
      }
    }
    assertThat(masters).isEqualTo(3);
    assertThat(replicas).isEqualTo(3);
  }

  @Test
  @Order(2)
  @DisplayName("create topics on 3 brokers with replication factor 3 and min.insync.replicas 2")
  void replicatedTopics() throws Exception {
    assertThat(services.kafkaBootstrap().split(",")).hasSize(3);
    services.createTopics(Map.of("cluster.check", 3));
    try (Admin admin = admin()) {
      // A broker may learn of the new topic a moment after another one answered for it.
      TopicDescription topic =
          await()
              .atMost(Duration.ofSeconds(30))
              .ignoreExceptions()
              .until(
                  () ->
                      admin
                          .describeTopics(List.of("cluster.check"))
                          .allTopicNames()
                          .get()
                          .get("cluster.check"),
                  t -> t != null);
      assertThat(topic.partitions()).hasSize(3);
      assertThat(topic.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "cluster.check");
      Config config =
          await()
              .atMost(Duration.ofSeconds(30))
              .ignoreExceptions()
              .until(
                  () -> admin.describeConfigs(List.of(resource)).all().get().get(resource),
                  c -> c != null);
      assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
    }
  }

  @Test
  @Order(3)
  @DisplayName("acknowledge acks=all sends and serve a consumer group while one broker is dead")
  void oneBrokerDown() throws Exception {
    services.createTopics(Map.of("cluster.broker-loss", 3));
    ManagedService dead = services.kafkaBrokers().get(2);
    dead.kill();
    try {
      List<String> sent = new ArrayList<>();
      try (KafkaProducer<String, String> producer = producer()) {
        for (int i = 0; i < 30; i++) {
          String value = "change-" + i;
          producer.send(new ProducerRecord<>("cluster.broker-loss", "cart-" + i, value)).get();
          sent.add(value);
        }
      }
      List<String> received = new ArrayList<>();
      try (KafkaConsumer<String, String> consumer = consumer()) {
        consumer.subscribe(List.of("cluster.broker-loss"));
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> {
                  for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    received.add(r.value());
                  }
                  return received.size() >= sent.size();
                });
        consumer.commitSync();
      }
      assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
    } finally {
      dead.start();
    }
  }

  @Test
  @Order(4)
  @DisplayName("promote a master's replica when the master is killed")
  void redisFailover() throws Exception {
    ManagedService master = services.redisNodes().get(0);
    ManagedService replica = services.redisNodes().get(RedisCluster.MASTERS);
    master.kill();
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> call(replica, "INFO", "replication").contains("role:master"));
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> call(replica, "CLUSTER", "INFO").contains("cluster_state:ok"));
    } finally {
      master.start();
    }
    // The old master comes back as a replica of the new one.
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> call(master, "INFO", "replication").contains("role:slave"));
  }

  private static String call(ManagedService node, String... args) throws Exception {
    return RespSocket.call(ManagedService.HOST, node.port(), List.of(args));
  }

  private static Admin admin() {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap()));
  }

  private static KafkaProducer<String, String> producer() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(30));
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  private static KafkaConsumer<String, String> consumer() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "cluster-check-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
  }
}
