package com.cartgateway.dev;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Real Redis, Kafka and DynamoDB Local for dev mode and tests, each its own OS process on a free
 * loopback port: Redis 6.2 from the embedded-redis jar, a single-node KRaft Kafka 3.7 broker and
 * DynamoDB Local 2.6 in child JVMs. They start in parallel; {@link #start(Optional)} returns once
 * each one answers.
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
  private static final String WORK_DIR_PREFIX = "cartgateway-dev-";
  private static final String OWNER_FILE = "owner.pid";

  private final Path workDir;
  private final Optional<Path> dataDir;
  private final RedisServerProcess redis;
  private final KafkaBrokerProcess kafka;
  private final DynamoDbLocalProcess dynamoDb;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook;

  private DevServices(
      Path workDir,
      Optional<Path> dataDir,
      RedisServerProcess redis,
      KafkaBrokerProcess kafka,
      DynamoDbLocalProcess dynamoDb) {
    this.workDir = workDir;
    this.dataDir = dataDir;
    this.redis = redis;
    this.kafka = kafka;
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
    long started = System.nanoTime();
    DevServices services = prepare(dataDir.map(Path::toAbsolutePath));
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

  private static DevServices prepare(Optional<Path> dataDir) {
    Path workDir;
    try {
      Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
      deleteWorkDirsOfDeadOwners(tmp);
      workDir = Files.createTempDirectory(tmp, WORK_DIR_PREFIX);
    } catch (IOException e) {
      throw new DevServicesException("could not create a temporary folder: " + e.getMessage(), e);
    }
    try {
      Files.writeString(workDir.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
      Path serviceRoot = dataDir.orElse(workDir);
      // Extracted before any child starts, so that no fork can hold the file open for writing.
      Path redisBinary = RedisServerProcess.locateBinary(workDir.resolve("bin"));
      JavaLauncher java = JavaLauncher.forCurrentProcess(workDir);
      RedisServerProcess redis =
          new RedisServerProcess(
              redisBinary, FreePorts.next(), serviceRoot.resolve("redis"), dataDir.isPresent());
      KafkaBrokerProcess kafka =
          new KafkaBrokerProcess(
              java,
              FreePorts.next(),
              FreePorts.next(),
              serviceRoot.resolve("kafka"),
              workDir.resolve("kafka-tmp"));
      Path dynamoDbFolder = serviceRoot.resolve("dynamodb");
      DynamoDbLocalProcess dynamoDb =
          new DynamoDbLocalProcess(
              java,
              FreePorts.next(),
              dynamoDbFolder,
              dataDir.map(ignored -> dynamoDbFolder),
              workDir.resolve("dynamodb-work"));
      return new DevServices(workDir, dataDir, redis, kafka, dynamoDb);
    } catch (IOException | RuntimeException e) {
      deleteRecursively(workDir);
      if (e instanceof DevServicesException failure) {
        throw failure;
      }
      throw new DevServicesException("could not prepare the dev services: " + e.getMessage(), e);
    }
  }

  private void startAll() {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService starter =
        Executors.newFixedThreadPool(
            3,
            task -> {
              Thread thread = new Thread(task, "dev-services-start-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    try {
      List<Future<?>> starts = new ArrayList<>();
      for (ManagedService service : services()) {
        starts.add(starter.submit(service::start));
      }
      DevServicesException failure = null;
      for (Future<?> start : starts) {
        try {
          start.get();
        } catch (ExecutionException e) {
          DevServicesException cause =
              e.getCause() instanceof DevServicesException dev
                  ? dev
                  : new DevServicesException(String.valueOf(e.getCause()), e.getCause());
          if (failure == null) {
            failure = cause;
          } else {
            failure.addSuppressed(cause);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new DevServicesException("interrupted while starting the dev services", e);
        }
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      starter.shutdownNow();
    }
  }

  /** {@code redis://127.0.0.1:port}. */
  public String redisUrl() {
    return "redis://" + ManagedService.HOST + ":" + redis.port();
  }

  /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
  public String kafkaBootstrap() {
    return kafka.bootstrapServers();
  }

  /** {@code http://127.0.0.1:port}, for the DynamoDB client's endpoint override. */
  public String dynamoDbEndpoint() {
    return dynamoDb.endpoint();
  }

  /** Redis, to stop, kill and restart on its own. */
  public ManagedService redis() {
    return redis;
  }

  /** The Kafka broker, to stop, kill and restart on its own. */
  public ManagedService kafka() {
    return kafka;
  }

  /** DynamoDB Local, to stop, kill and restart on its own. */
  public ManagedService dynamoDb() {
    return dynamoDb;
  }

  /** Redis, Kafka and DynamoDB Local, in that order. */
  public List<ManagedService> services() {
    return List.of(redis, kafka, dynamoDb);
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
   * Creates the topics (name to partition count, replication factor 1) unless they exist; the
   * broker does not create topics on first use.
   */
  public void createTopics(Map<String, Integer> nameToPartitions) {
    kafka.createTopics(nameToPartitions);
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
    deleteRecursively(workDir);
    if (Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down; the hook finds this instance closed.
      }
    }
  }

  /** Temporary folders whose owner died by SIGKILL, so its shutdown hook never ran. */
  private static void deleteWorkDirsOfDeadOwners(Path tmp) {
    try (Stream<Path> candidates = Files.list(tmp)) {
      candidates
          .filter(dir -> dir.getFileName().toString().startsWith(WORK_DIR_PREFIX))
          .filter(dir -> Files.isRegularFile(dir.resolve(OWNER_FILE)))
          .filter(dir -> !ownerIsAlive(dir))
          .forEach(DevServices::deleteRecursively);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, "could not clean up old dev services folders in " + tmp, e);
    }
  }

  private static boolean ownerIsAlive(Path dir) {
    try {
      long pid = Long.parseLong(Files.readString(dir.resolve(OWNER_FILE)).trim());
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    } catch (IOException | NumberFormatException e) {
      // Unreadable: assume someone still uses it.
      return true;
    }
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure)
                throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOG.log(Level.WARNING, "could not delete " + root + ": " + e);
    }
  }
}
