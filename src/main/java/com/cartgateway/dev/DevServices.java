package com.cartgateway.dev;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Real Redis, Kafka and DynamoDB Local for dev mode and tests, each its own OS process on a free
 * loopback port: Redis 6.2 from the embedded-redis jar, KRaft Kafka 3.7 and DynamoDB Local 2.6 in
 * child JVMs. {@link Topology#SINGLE} runs one Redis and one broker; {@link Topology#CLUSTER} a
 * Redis Cluster of six servers (three masters, three replicas) and three brokers replicating every
 * topic three times, as production runs. They start in parallel; {@link #start(Optional)} returns
 * once each one answers (and the Redis Cluster is formed).
 *
 * <p>Nothing outlives this JVM: {@link #close()} stops every process, a shutdown hook closes on
 * SIGTERM and SIGINT, and every child also ends by itself when this JVM dies by SIGKILL (see {@link
 * ParentWatchdog}).
 *
 * <p>Files: a temporary folder holds binaries, working directories and, in memory, the services'
 * folders; it is deleted on close (and, if this JVM was killed, by the next start). With a data
 * folder, {@code redis/} (append-only file), {@code kafka/} (log dirs under {@code data/}) and
 * {@code dynamodb/} (database files) live there instead and persist, together with each service's
 * log.
 */
public final class DevServices implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(DevServices.class.getName());

  /** How many Redis servers and Kafka brokers run. */
  public enum Topology {
    /** One Redis, one broker: the default, and what most tests need. */
    SINGLE,
    /** A 6-node Redis Cluster and 3 brokers ({@code CART_DEV_TOPOLOGY=cluster}). */
    CLUSTER
  }

  private final Path workDir;
  private final Optional<Path> dataDir;
  private final List<RedisServerProcess> redisNodes;
  private final Optional<RedisCluster> cluster;
  private final List<KafkaBrokerProcess> brokers;
  private final KafkaQuorum quorum;
  private final DynamoDbLocalProcess dynamoDb;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook;

  private DevServices(
      Path workDir,
      Optional<Path> dataDir,
      List<RedisServerProcess> redisNodes,
      List<KafkaBrokerProcess> brokers,
      KafkaQuorum quorum,
      DynamoDbLocalProcess dynamoDb) {
    this.workDir = workDir;
    this.dataDir = dataDir;
    this.redisNodes = List.copyOf(redisNodes);
    this.cluster =
        redisNodes.size() > 1 ? Optional.of(new RedisCluster(redisNodes)) : Optional.empty();
    this.brokers = List.copyOf(brokers);
    this.quorum = quorum;
    this.dynamoDb = dynamoDb;
    this.shutdownHook = new Thread(this::close, "dev-services-shutdown");
  }

  /**
   * Starts the three services and returns once all answer: Redis PING, Kafka DescribeCluster,
   * DynamoDB Local HTTP.
   *
   * @param dataDir where the services keep their data across runs, or empty for in-memory services
   *     (Kafka then keeps its log in a temporary folder, which still survives a restart of the
   *     broker alone)
   * @throws DevServicesException if a service does not come up; whatever did start is stopped
   */
  public static DevServices start(Optional<Path> dataDir) {
    return start(dataDir, Topology.SINGLE);
  }

  /**
   * Starts the services in {@code topology}, as {@link #start(Optional)} does.
   *
   * @param dataDir where the services keep their data across runs, or empty
   * @param topology single nodes, or a Redis Cluster and three brokers
   * @throws DevServicesException if a service does not come up; whatever did start is stopped
   */
  public static DevServices start(Optional<Path> dataDir, Topology topology) {
    long started = System.nanoTime();
    DevServices services = prepare(dataDir.map(Path::toAbsolutePath), topology);
    Runtime.getRuntime().addShutdownHook(services.shutdownHook);
    try {
      services.startAll();
    } catch (RuntimeException e) {
      services.close();
      throw e;
    }
    LOG.log(
        Level.INFO,
        "dev services ready in {0,number,#} ms: {1}, {2}, {3}",
        (System.nanoTime() - started) / 1_000_000,
        services.redisUrl(),
        services.kafkaBootstrap(),
        services.dynamoDbEndpoint());
    return services;
  }

  private static DevServices prepare(Optional<Path> dataDir, Topology topology) {
    Path workDir = WorkDirs.create();
    try {
      Path serviceRoot = dataDir.orElse(workDir);
      // Extracted before any child starts, so that no fork can hold the file open for writing.
      Path redisBinary = RedisServerProcess.locateBinary(workDir.resolve("bin"));
      JavaLauncher java = JavaLauncher.forCurrentProcess(workDir);
      boolean cluster = topology == Topology.CLUSTER;
      List<RedisServerProcess> redisNodes =
          cluster
              ? RedisCluster.nodes(redisBinary, serviceRoot)
              : List.of(
                  new RedisServerProcess(
                      "redis",
                      redisBinary,
                      FreePorts.next(),
                      serviceRoot.resolve("redis"),
                      dataDir.isPresent(),
                      false));
      KafkaQuorum quorum = KafkaQuorum.of(cluster ? KafkaQuorum.CLUSTER_NODES : 1);
      List<KafkaBrokerProcess> brokers = quorum.brokers(java, serviceRoot, workDir);
      Path dynamoDbFolder = serviceRoot.resolve("dynamodb");
      DynamoDbLocalProcess dynamoDb =
          new DynamoDbLocalProcess(
              java,
              FreePorts.next(),
              dynamoDbFolder,
              dataDir.map(ignored -> dynamoDbFolder),
              workDir.resolve("dynamodb-work"));
      return new DevServices(workDir, dataDir, redisNodes, brokers, quorum, dynamoDb);
    } catch (IOException | RuntimeException e) {
      WorkDirs.delete(workDir);
      if (e instanceof DevServicesException failure) {
        throw failure;
      }
      throw new DevServicesException("could not prepare the dev services: " + e.getMessage(), e);
    }
  }

  private void startAll() {
    ManagedService.startTogether(services());
    cluster.ifPresent(RedisCluster::form);
  }

  /** Single nodes or clusters. */
  public Topology topology() {
    return cluster.isPresent() ? Topology.CLUSTER : Topology.SINGLE;
  }

  /** {@code redis://127.0.0.1:port}; in a cluster every node's, comma-separated. */
  public String redisUrl() {
    return cluster
        .map(RedisCluster::urls)
        .orElse("redis://" + ManagedService.HOST + ":" + redisNodes.get(0).port());
  }

  /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}; every broker's, comma-separated. */
  public String kafkaBootstrap() {
    return quorum.bootstrapServers();
  }

  /** {@code http://127.0.0.1:port}, for the DynamoDB client's endpoint override. */
  public String dynamoDbEndpoint() {
    return dynamoDb.endpoint();
  }

  /** Redis (in a cluster the first master), to stop, kill and restart on its own. */
  public ManagedService redis() {
    return redisNodes.get(0);
  }

  /** Every Redis server: in a cluster the three masters as formed, then their replicas. */
  public List<ManagedService> redisNodes() {
    return List.copyOf(redisNodes);
  }

  /** The Kafka broker (in a cluster the first), to stop, kill and restart on its own. */
  public ManagedService kafka() {
    return brokers.get(0);
  }

  /** Every Kafka broker. */
  public List<ManagedService> kafkaBrokers() {
    return List.copyOf(brokers);
  }

  /** DynamoDB Local, to stop, kill and restart on its own. */
  public ManagedService dynamoDb() {
    return dynamoDb;
  }

  /** Redis, Kafka and DynamoDB Local, in that order (every node of each). */
  public List<ManagedService> services() {
    List<ManagedService> all = new ArrayList<>(redisNodes);
    all.addAll(brokers);
    all.add(dynamoDb);
    return all;
  }

  /** The data folder given to {@link #start(Optional)}, if any. */
  public Optional<Path> dataDir() {
    return dataDir;
  }

  /** The temporary folder of this instance, deleted on {@link #close()}. */
  public Path workDir() {
    return workDir;
  }

  /**
   * Creates the topics (name to partition count; replicated on every broker of a cluster, with
   * {@code min.insync.replicas} 2) unless they exist; the brokers do not create topics on first
   * use.
   */
  public void createTopics(Map<String, Integer> nameToPartitions) {
    brokers.get(0).createTopics(nameToPartitions);
  }

  /**
   * Stops every service (SIGTERM, SIGKILL after 10 seconds), in parallel, and deletes the temporary
   * folder; a data folder is kept. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<Thread> stops = new ArrayList<>();
    for (ManagedService service : services()) {
      Thread stop = new Thread(service::retire, "dev-services-stop-" + service.name());
      stop.start();
      stops.add(stop);
    }
    for (Thread stop : stops) {
      try {
        stop.join();
      } catch (InterruptedException e) {
        // Finish the stops anyway: leaving processes behind is worse than a late interrupt.
        Thread.currentThread().interrupt();
      }
    }
    WorkDirs.delete(workDir);
    if (Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down; the hook finds this instance closed.
      }
    }
  }
}
