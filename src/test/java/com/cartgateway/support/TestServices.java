package com.cartgateway.support;

import com.cartgateway.dev.DevServices;
import com.cartgateway.dev.ManagedService;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The backing services of the tests in this JVM: one in-memory {@link DevServices}, started on
 * first use and stopped by its shutdown hook when the JVM ends, with the gateway's topics created.
 * Tests share it, so each test uses its own keys, tables and consumer groups; a fault test that
 * stops or kills a service starts it again before it ends.
 *
 * <p>Always local processes, never Testcontainers: they need no Docker, start in about 5 s and can
 * be killed and restarted one by one, which is what the fault tests need.
 */
public final class TestServices {
  /** The gateway's topics, with their partition counts. */
  public static final Map<String, Integer> TOPICS =
      Map.of(
          "cart.events",
          3,
          "cart.checkouts",
          3,
          "cart.abandoned",
          3,
          "cart.recovered",
          3,
          "catalog.events",
          3);

  private static final String TOPOLOGY = "cart.test.topology";

  private static TestServices instance;
  private static RuntimeException startFailure;

  private final DevServices services;

  private TestServices(DevServices services) {
    this.services = services;
  }

  /**
   * The started services; the first call starts them (about 5 s). If that failed, every later call
   * fails with the same cause instead of trying again.
   */
  public static synchronized TestServices get() {
    if (instance != null) {
      return instance;
    }
    if (startFailure != null) {
      throw new IllegalStateException(
          "the test services failed to start earlier in this JVM", startFailure);
    }
    DevServices services = null;
    try {
      services = DevServices.start(Optional.empty(), topology());
      services.createTopics(TOPICS);
      instance = new TestServices(services);
      return instance;
    } catch (RuntimeException e) {
      if (services != null) {
        services.close();
      }
      startFailure = e;
      throw e;
    }
  }

  /**
   * {@code single}, or {@code cluster} when the system property {@value #TOPOLOGY} says so: the
   * cluster executions of failsafe run part of the suite against a Redis Cluster and three brokers.
   */
  public static DevServices.Topology topology() {
    return "cluster".equals(System.getProperty(TOPOLOGY))
        ? DevServices.Topology.CLUSTER
        : DevServices.Topology.SINGLE;
  }

  /** {@code cluster} or {@code standalone}, for {@code CART_REDIS_MODE}. */
  public String redisMode() {
    return services.topology() == DevServices.Topology.CLUSTER ? "cluster" : "standalone";
  }

  /** {@code redis://127.0.0.1:port}; in a cluster every node's, comma-separated. */
  public String redisUrl() {
    return services.redisUrl();
  }

  /** A client of the test Redis: of the cluster, routing each command by its key, in a cluster. */
  public Redis redisClient(Vertx vertx) {
    RedisOptions options =
        new RedisOptions()
            .setType(
                services.topology() == DevServices.Topology.CLUSTER
                    ? RedisClientType.CLUSTER
                    : RedisClientType.STANDALONE);
    for (String endpoint : redisUrl().split(",")) {
      options.addConnectionString(endpoint);
    }
    return Redis.createClient(vertx, options);
  }

  /** {@code 127.0.0.1:port}. */
  public String kafkaBootstrap() {
    return services.kafkaBootstrap();
  }

  /** {@code http://127.0.0.1:port}. */
  public String dynamoDbEndpoint() {
    return services.dynamoDbEndpoint();
  }

  /** Redis, for fault tests. */
  public ManagedService redis() {
    return services.redis();
  }

  /** Every Redis server (the six nodes in the cluster topology, masters first), for fault tests. */
  public List<ManagedService> redisNodes() {
    return services.redisNodes();
  }

  /** Every Kafka broker (three in the cluster topology), for fault tests. */
  public List<ManagedService> kafkaBrokers() {
    return services.kafkaBrokers();
  }

  /** The Kafka broker, for fault tests. */
  public ManagedService kafka() {
    return services.kafka();
  }

  /**
   * Stops every Kafka broker (one, or the cluster's three) until the returned handle is closed,
   * which starts them again together: a broker of a cluster is ready only once a majority runs.
   */
  public AutoCloseable kafkaDown() {
    List<ManagedService> brokers = services.kafkaBrokers();
    brokers.forEach(ManagedService::stop);
    return () -> ManagedService.startTogether(brokers);
  }

  /** DynamoDB Local, for fault tests. */
  public ManagedService dynamoDb() {
    return services.dynamoDb();
  }

  /**
   * Freezes a service's process (SIGSTOP) until the returned handle is closed (SIGCONT): it keeps
   * its data and its port, but answers nothing, as a partitioned or hung server would. Stopping
   * DynamoDB Local instead would lose every table, which no real outage does.
   */
  public static AutoCloseable suspend(ManagedService service) {
    long pid = service.pid();
    signal("STOP", pid);
    return () -> signal("CONT", pid);
  }

  private static void signal(String name, long pid) {
    try {
      int code = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor();
      if (code != 0) {
        throw new IllegalStateException("kill -" + name + " " + pid + " exited with " + code);
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot signal " + pid, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling " + pid, e);
    }
  }

  /** The services themselves, for anything not covered above (more topics, folders, logs). */
  public DevServices devServices() {
    return services;
  }
}
