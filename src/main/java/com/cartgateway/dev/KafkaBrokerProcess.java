package com.cartgateway.dev;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A Kafka 3.7 broker in KRaft mode (broker and controller in one process) in a child JVM: alone, or
 * one of a cluster whose nodes are all controllers and replicate every topic three times. Its
 * folder holds {@code server.properties}, the log and {@code data/} (the log dirs); the storage is
 * formatted once, so a data folder survives restarts with its topics and offsets.
 *
 * <p>The broker's classes ({@code kafka_2.13}) are only named here, never linked: they are a
 * test-scope dependency. The admin client is kafka-clients, which the application uses anyway.
 */
final class KafkaBrokerProcess extends ManagedService {
  // A bound on a hung start: three brokers starting together on two busy cores took 34 s.
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final JavaLauncher java;
  private final int controllerPort;
  private final Path tmpDir;
  private final KafkaQuorum quorum;
  private final int nodeId;

  /** Node {@code nodeId} (from 1) of {@code quorum}, named {@code name}. */
  KafkaBrokerProcess(
      JavaLauncher java, String name, KafkaQuorum quorum, int nodeId, Path folder, Path tmpDir) {
    super(name, quorum.brokerPorts().get(nodeId - 1), folder);
    this.java = java;
    this.quorum = quorum;
    this.nodeId = nodeId;
    this.controllerPort = quorum.controllerPorts().get(nodeId - 1);
    this.tmpDir = tmpDir;
  }

  /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
  String bootstrapServers() {
    return HOST + ":" + port();
  }

  @Override
  ChildProcess launch() throws IOException {
    Files.createDirectories(dataDir());
    Files.createDirectories(tmpDir);
    Files.writeString(serverProperties(), serverPropertiesText());
    if (!Files.exists(dataDir().resolve("meta.properties"))) {
      format();
    }
    return ChildProcess.spawn(
        java.command(
            List.of("-Xms128m", "-Xmx512m"),
            tmpDir,
            "kafka.Kafka",
            List.of(serverProperties().toString())),
        folder(),
        Map.of(),
        logFile());
  }

  /** Writes {@code meta.properties} with a fresh cluster id, in a short-lived child JVM. */
  private void format() throws IOException {
    List<String> args =
        List.of(
            "format",
            "-t",
            quorum.clusterId(),
            "-c",
            serverProperties().toString(),
            "--ignore-formatted");
    ChildProcess formatter =
        ChildProcess.spawn(
            // A tool that runs for a second: the client compiler alone starts faster.
            java.command(
                List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"),
                tmpDir,
                "kafka.tools.StorageTool",
                args),
            folder(),
            Map.of(),
            folder().resolve("storage-format.log"));
    if (!formatter.awaitExit(FORMAT_TIMEOUT)) {
      formatter.kill();
      throw failure(formatter, "formatting the storage took over " + FORMAT_TIMEOUT, null);
    }
    if (formatter.exitValue() != 0) {
      throw failure(
          formatter, "formatting the storage failed with code " + formatter.exitValue(), null);
    }
  }

  private String serverPropertiesText() {
    List<String> lines = new ArrayList<>();
    lines.add("# Written by " + DevServices.class.getName() + " at every start; edits are lost.");
    lines.add("process.roles=broker,controller");
    lines.add("node.id=" + nodeId);
    lines.add("controller.quorum.voters=" + quorum.voters());
    String plaintext = "PLAINTEXT://" + HOST + ":" + port();
    lines.add("listeners=" + plaintext + ",CONTROLLER://" + HOST + ":" + controllerPort);
    lines.add("advertised.listeners=" + plaintext);
    lines.add("controller.listener.names=CONTROLLER");
    lines.add("inter.broker.listener.name=PLAINTEXT");
    lines.add("listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    lines.add("log.dirs=" + dataDir());
    lines.add("num.partitions=3");
    lines.add("auto.create.topics.enable=false");
    lines.add("offsets.topic.replication.factor=" + quorum.replication());
    lines.add("default.replication.factor=" + quorum.replication());
    // 50 partitions by default: creating them delays the first consumer group by seconds.
    lines.add("offsets.topic.num.partitions=5");
    lines.add("transaction.state.log.replication.factor=" + quorum.replication());
    lines.add("transaction.state.log.min.isr=" + quorum.minInsync());
    lines.add("transaction.state.log.num.partitions=5");
    lines.add("min.insync.replicas=" + quorum.minInsync());
    lines.add("group.initial.rebalance.delay.ms=0");
    // After a SIGKILL the restarted controller refuses the broker's new registration until the
    // old session times out (9 s by default): a shorter session makes crash tests restart fast.
    lines.add("broker.session.timeout.ms=4000");
    lines.add("broker.heartbeat.interval.ms=500");
    return String.join("\n", lines) + "\n";
  }

  @Override
  Duration startTimeout() {
    return START_TIMEOUT;
  }

  /** The port opens first; then this broker must have registered, as DescribeCluster shows. */
  @Override
  void awaitReady(ChildProcess launched, Instant deadline) {
    poll(launched, deadline, "on its port", this::portIsOpen);
    try (Admin admin = Admin.create(adminProperties(Duration.ofSeconds(2)))) {
      poll(
          launched,
          deadline,
          "to DescribeCluster",
          () ->
              admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).stream()
                  .anyMatch(node -> node.id() == nodeId));
    }
  }

  private boolean portIsOpen() throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, port()), 500);
      return true;
    }
  }

  /**
   * Creates the topics, replicated over the quorum's nodes (once alone, three times in a cluster);
   * a topic that already exists is left as it is, whatever its partition count.
   */
  void createTopics(Map<String, Integer> nameToPartitions) {
    if (nameToPartitions.isEmpty()) {
      return;
    }
    List<NewTopic> topics =
        nameToPartitions.entrySet().stream()
            .map(topic -> new NewTopic(topic.getKey(), topic.getValue(), quorum.replication()))
            .toList();
    try (Admin admin = Admin.create(adminProperties(Duration.ofSeconds(5)))) {
      for (Map.Entry<String, KafkaFuture<Void>> created :
          admin.createTopics(topics).values().entrySet()) {
        try {
          created.getValue().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new DevServicesException(
                "topic " + created.getKey() + " could not be created: " + e.getCause(), e);
          }
        } catch (TimeoutException e) {
          throw new DevServicesException(
              "topic " + created.getKey() + " not created within " + ADMIN_TIMEOUT, e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new DevServicesException("interrupted while creating topics", e);
        }
      }
      awaitLeaders(admin, nameToPartitions.keySet());
    }
  }

  /**
   * Returns once every partition of the topics has a leader and all its replicas in sync: the
   * controller acknowledges a creation before the brokers have taken it up.
   */
  private void awaitLeaders(Admin admin, java.util.Set<String> names) {
    Instant deadline = Instant.now().plus(ADMIN_TIMEOUT);
    Exception last = null;
    while (Instant.now().isBefore(deadline)) {
      try {
        boolean ready =
            admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS).values().stream()
                .flatMap(topic -> topic.partitions().stream())
                .allMatch(p -> p.leader() != null && p.isr().size() == p.replicas().size());
        if (ready) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DevServicesException("interrupted while waiting for topic leaders", e);
      }
      ChildProcess.sleep(Duration.ofMillis(100));
    }
    throw new DevServicesException(
        "topics " + names + " without a leader in sync within " + ADMIN_TIMEOUT, last);
  }

  private Properties adminProperties(Duration requestTimeout) {
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, quorum.bootstrapServers());
    properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "cartgateway-dev-services");
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) requestTimeout.toMillis());
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
    return properties;
  }

  private Path serverProperties() {
    return folder().resolve("server.properties");
  }

  private Path dataDir() {
    return folder().resolve("data");
  }
}
