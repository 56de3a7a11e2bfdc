package com.cartgateway.bench;

import com.cartgateway.app.Application;
import com.cartgateway.app.Main;
import com.cartgateway.config.AppConfig;
import com.cartgateway.config.ConfigLoader;
import com.cartgateway.dev.DevMain;
import com.cartgateway.dev.DevServices;
import com.cartgateway.dynamo.DynamoTables;
import com.cartgateway.events.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/**
 * The hot paths against their references, side by side in one run, so that the figures are ratios
 * and hold on a noisy machine. Starts the embedded services, the gateway as dev mode does (its HTTP
 * and timer roles; the write-behind worker only while seeding, unless {@code worker=1}), and the
 * {@link ReferenceVerticle}s on a Vert.x of their own with as many instances as the gateway's HTTP
 * verticles; seeds carts of 5 lines; then, after a warm-up of every scenario, runs {@code rounds}
 * rounds, each scenario once a round in turn, with the same load generator ({@code wrk}, which must
 * be on the PATH), and prints each scenario's medians and the ratios. After each round of a
 * scenario it prints the CPU every process on the box spent per request (and this JVM's threads),
 * what Redis ran per request, and, for writes, where Kafka made the add wait: on a box whose cores
 * the load generator and the services share, these say where a path's time goes.
 *
 * <pre>
 * mvn -q -Pbench test-compile exec:java -Dexec.args="rounds=3 seconds=10 warmup=30"
 * </pre>
 */
public final class HotPathBenchmark {
  private static final int SKUS = 50;
  private static final int WRITER_SKUS = 5;
  private static final int LINES = 5;
  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern ERRORS = Pattern.compile("Socket errors: (.*)");

  private HotPathBenchmark() {}

  /** One load: a target, a wrk script and a number of connections. */
  private record Scenario(String name, String url, Path script, int connections) {}

  /** What wrk measured in one run of a scenario. */
  private record Run(double rate, double p50Millis, double p99Millis, long failures) {}

  /**
   * @param args {@code name=value}: rounds, seconds (a run), warmup (seconds, each scenario),
   *     readers (carts read), writers (shoppers adding), instances (HTTP verticles; 0 = one a
   *     core), worker (1: the write-behind worker runs during the measurement, in the gateway's
   *     JVM, with DynamoDB Local on the same cores; 0, the default: it runs only while the carts
   *     are seeded, since in production it is deployed apart and the references have nothing to
   *     write behind)
   */
  public static void main(String[] args) throws Exception {
    Map<String, Integer> settings = settings(args);
    Main.configureLogging();
    int code = 0;
    DevServices services = DevServices.start(Optional.empty());
    Application app = null;
    Application writer = null;
    Vertx refs = null;
    Producer<String, String> producer = null;
    try {
      Map<String, Integer> topics =
          Topics.ALL.stream().collect(Collectors.toMap(Function.identity(), topic -> 3));
      topics.put(ReferenceVerticle.TOPIC, 3);
      services.createTopics(topics);
      boolean worker = settings.get("worker") == 1;
      AppConfig config =
          config(services, settings.get("instances"), worker ? "http,worker,timer" : "http,timer");
      try (DynamoDbAsyncClient dynamo = DynamoTables.client(config.dynamoDb())) {
        DynamoTables.ensure(dynamo, config.dynamoDb()).get(30, TimeUnit.SECONDS);
      }
      if (!worker) {
        // The catalog's rebuild after the empty start waits for the worker group's progress.
        writer =
            Application.start(config(services, settings.get("instances"), "worker"))
                .await(60, TimeUnit.SECONDS);
      }
      app = Application.start(config).await(60, TimeUnit.SECONDS);
      String gateway = "http://127.0.0.1:" + config.http().port();
      DevMain.awaitReady(gateway);

      Seed seed = seed(gateway, config, settings.get("readers"), settings.get("writers"));
      if (writer != null) {
        writer.close().await(30, TimeUnit.SECONDS);
        writer = null;
      }
      producer = producer(services.kafkaBootstrap());
      refs = Vertx.vertx();
      Map<ReferenceVerticle.Kind, String> references =
          deploy(refs, services.redisUrl(), config, seed.body(), producer);

      Path dir = Files.createTempDirectory("hotpath-bench");
      List<Scenario> scenarios =
          List.of(
              new Scenario(
                  "GET gateway", gateway + "/v1/cart", reads(dir, "gateway", seed, true), 64),
              new Scenario(
                  "GET gateway no-cache",
                  gateway + "/v1/cart",
                  reads(dir, "gateway-no-cache", seed, true),
                  64),
              new Scenario(
                  "GET HGETALL ref",
                  references.get(ReferenceVerticle.Kind.HGETALL),
                  reads(dir, "hgetall", seed, false),
                  64),
              // The gateway's own requests (its script, its headers): wrk spends on the same box
              // what it spends on the gateway's reads, which a bare GET would not.
              new Scenario(
                  "GET static ref",
                  references.get(ReferenceVerticle.Kind.STATIC),
                  dir.resolve("reads-gateway.lua"),
                  64),
              new Scenario(
                  "POST gateway 16",
                  gateway + "/v1/cart/items",
                  writes(dir, "gateway", seed, true),
                  16),
              new Scenario(
                  "POST write ref 16",
                  references.get(ReferenceVerticle.Kind.WRITE),
                  writes(dir, "ref", seed, false),
                  16),
              new Scenario(
                  "POST gateway 1",
                  gateway + "/v1/cart/items",
                  dir.resolve("writes-gateway.lua"),
                  1),
              new Scenario(
                  "POST write ref 1",
                  references.get(ReferenceVerticle.Kind.WRITE),
                  dir.resolve("writes-ref.lua"),
                  1));

      for (Scenario scenario : scenarios) {
        wrk(scenario, settings.get("warmup"));
      }
      Map<String, List<Run>> runs = new LinkedHashMap<>();
      double[] nearCache = new double[3];
      RedisWork redisWork = new RedisWork(Redis.createClient(refs, services.redisUrl()));
      for (int round = 1; round <= settings.get("rounds"); round++) {
        for (Scenario scenario : scenarios) {
          double[] before = nearCache(app);
          double redisCpu = redisWork.reset();
          Map<String, Duration> cpu = cpuByProcess();
          Run run = wrk(scenario, settings.get("seconds"));
          runs.computeIfAbsent(scenario.name(), n -> new ArrayList<>()).add(run);
          System.out.println(
              cpuPerRequest(scenario.name(), cpu, run.rate(), settings.get("seconds")));
          System.out.println(
              redisWork.report(scenario.name(), redisCpu, run.rate(), settings.get("seconds")));
          if (scenario.name().startsWith("POST")) {
            System.out.println(new KafkaWaits(scenario.name(), app.clients().producer(), producer));
          }
          if (scenario.name().equals("GET gateway")) {
            double[] after = nearCache(app);
            for (int i = 0; i < nearCache.length; i++) {
              nearCache[i] += after[i] - before[i];
            }
          }
        }
      }
      report(settings, config, runs);
      System.out.printf(
          Locale.ROOT,
          "near cache in the GET gateway rounds: %.0f hits, %.0f misses (%.1f%% hits), %.0f drops%n",
          nearCache[0],
          nearCache[1],
          100 * nearCache[0] / Math.max(1, nearCache[0] + nearCache[1]),
          nearCache[2]);
      paced(dir, scenarios, runs, settings.get("seconds"));
    } catch (Throwable e) {
      e.printStackTrace();
      code = 1;
    } finally {
      if (refs != null) {
        refs.close().await(10, TimeUnit.SECONDS);
      }
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
      }
      if (app != null) {
        app.close().await(30, TimeUnit.SECONDS);
      }
      if (writer != null) {
        writer.close().await(30, TimeUnit.SECONDS);
      }
      services.close();
    }
    System.exit(code);
  }

  /**
   * Where an add waits on Kafka, for a POST round: each producer's average time a record queued
   * before its batch was sent, and a produce request's latency (the Kafka client's averages over
   * its last 30-60 s, in which only this producer's own POST rounds sent anything).
   */
  private record KafkaWaits(String scenario, Producer<?, ?> gateway, Producer<?, ?> reference) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "Kafka waits after %s: record queue / produce request latency: gateway %.2f / %.2f ms,"
              + " reference %.2f / %.2f ms",
          scenario,
          metric(gateway, "record-queue-time-avg"),
          metric(gateway, "request-latency-avg"),
          metric(reference, "record-queue-time-avg"),
          metric(reference, "request-latency-avg"));
    }

    private static double metric(Producer<?, ?> producer, String name) {
      for (var metric : producer.metrics().entrySet()) {
        if (metric.getKey().group().equals("producer-metrics")
            && metric.getKey().name().equals(name)) {
          Object value = metric.getValue().metricValue();
          return value instanceof Double d && !d.isNaN() ? d : 0;
        }
      }
      return 0;
    }
  }

  /**
   * The CPU time used so far by the whole box ({@code box}, from {@code /proc/stat}) and by each
   * process that takes part in a run: this JVM (the gateway and the references), Redis, the Kafka
   * broker and DynamoDB Local, children of this JVM. On a box of two cores that they and wrk share,
   * a path's throughput is bounded by the CPU all of them spend on one request.
   */
  private static Map<String, Duration> cpuByProcess() throws IOException {
    Map<String, Duration> cpu = new LinkedHashMap<>();
    // cpu  user nice system idle iowait irq softirq steal ..., in USER_HZ (1/100 s on Linux)
    String[] box = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long busy = 0;
    for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
      busy += Long.parseLong(box[i]);
    }
    cpu.put("box", Duration.ofMillis(busy * 10));
    cpu.put("jvm", ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO));
    // This JVM's threads by kind (the name without its numbers, as the kernel keeps it: 15
    // characters), user and kernel time apart: event loops, Kafka's sender, the log appender, ...
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException ended) {
          continue;
        }
        // pid (comm) state ...: utime and stime are the 14th and 15th fields, in USER_HZ
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        String kind = "jvm:" + name.replaceAll("[0-9]+", "#");
        cpu.merge(
            kind + ":user", Duration.ofMillis(10 * Long.parseLong(fields[11])), Duration::plus);
        cpu.merge(
            kind + ":sys", Duration.ofMillis(10 * Long.parseLong(fields[12])), Duration::plus);
      }
    }
    ProcessHandle.current()
        .descendants()
        .forEach(
            process -> {
              String line = process.info().commandLine().orElse("");
              String name =
                  line.contains("redis-server")
                      ? "redis"
                      : line.contains("kafka.Kafka")
                          ? "kafka"
                          : line.contains("DynamoDBLocal") ? "dynamodb" : null;
              if (name != null) {
                cpu.merge(
                    name, process.info().totalCpuDuration().orElse(Duration.ZERO), Duration::plus);
              }
            });
    return cpu;
  }

  /**
   * The box's CPU use in a round, as a share of its cores, and the CPU each process used per
   * request answered ({@code rest}: wrk and whatever else ran).
   */
  private static String cpuPerRequest(
      String scenario, Map<String, Duration> before, double rate, int seconds) throws IOException {
    Map<String, Duration> after = cpuByProcess();
    double requests = Math.max(1, rate * seconds);
    double rest = 0;
    List<String> parts = new ArrayList<>();
    Map<String, Double> threads = new HashMap<>();
    Map<String, Double> kernel = new HashMap<>();
    for (Map.Entry<String, Duration> entry : after.entrySet()) {
      double micros =
          entry.getValue().minus(before.getOrDefault(entry.getKey(), Duration.ZERO)).toNanos()
              / 1000.0;
      if (entry.getKey().startsWith("jvm:")) {
        threads.merge(
            entry.getKey().substring(4, entry.getKey().lastIndexOf(':')),
            micros / requests,
            Double::sum);
        if (entry.getKey().endsWith(":sys")) {
          kernel.merge(
              entry.getKey().substring(4, entry.getKey().lastIndexOf(':')),
              micros / requests,
              Double::sum);
        }
        continue;
      }
      rest += entry.getKey().equals("box") ? micros : -micros;
      if (!entry.getKey().equals("box")) {
        parts.add(String.format(Locale.ROOT, "%s %.0f", entry.getKey(), micros / requests));
      }
    }
    double box =
        after.get("box").minus(before.get("box")).toNanos()
            / 1e9
            / seconds
            / Runtime.getRuntime().availableProcessors();
    parts.add(String.format(Locale.ROOT, "rest %.0f", rest / requests));
    return String.format(
        Locale.ROOT,
        "CPU during %s: box %.0f%% busy; us per request: %s; the JVM's busiest threads: %s",
        scenario,
        100 * box,
        String.join(", ", parts),
        threads.entrySet().stream()
            .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
            .limit(5)
            .map(
                e ->
                    String.format(
                        Locale.ROOT,
                        "%s %.0f (kernel %.0f)",
                        e.getKey(),
                        e.getValue(),
                        kernel.getOrDefault(e.getKey(), 0.0)))
            .collect(Collectors.joining(", ")));
  }

  /**
   * What Redis itself did for a round: the share of a core its one thread used, and per request
   * answered, the commands it ran and the microseconds it spent in them ({@code INFO commandstats},
   * reset before the round), with the three costliest commands. Both the gateway and the references
   * use this Redis, so a path that waits on a busy Redis shows it here.
   */
  private record RedisWork(Redis redis) {
    private static final Pattern STAT = Pattern.compile("cmdstat_(\\w+):calls=(\\d+),usec=(\\d+),");
    private static final Pattern CPU = Pattern.compile("used_cpu_(?:sys|user):([0-9.]+)");

    /** Resets the command counts; returns the CPU seconds Redis has used so far. */
    double reset() throws Exception {
      redis.send(Request.cmd(Command.CONFIG).arg("RESETSTAT")).await(10, TimeUnit.SECONDS);
      return cpuSeconds();
    }

    String report(String scenario, double cpuBefore, double rate, int seconds) throws Exception {
      double cpu = (cpuSeconds() - cpuBefore) / seconds;
      String stats =
          redis
              .send(Request.cmd(Command.INFO).arg("commandstats"))
              .await(10, TimeUnit.SECONDS)
              .toString();
      double requests = Math.max(1, rate * seconds);
      record Stat(String command, long calls, long micros) {}
      List<Stat> all = new ArrayList<>();
      Matcher m = STAT.matcher(stats);
      while (m.find()) {
        all.add(new Stat(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))));
      }
      all.sort((a, b) -> Long.compare(b.micros(), a.micros()));
      return String.format(
          Locale.ROOT,
          "Redis during %s: %.0f%% of a core; per request %.2f commands, %.1f us (%s)",
          scenario,
          100 * cpu,
          all.stream().mapToLong(Stat::calls).sum() / requests,
          all.stream().mapToLong(Stat::micros).sum() / requests,
          all.stream()
              .limit(3)
              .map(
                  s ->
                      String.format(
                          Locale.ROOT,
                          "%s %.2f x %.1f us",
                          s.command(),
                          s.calls() / requests,
                          (double) s.micros() / Math.max(1, s.calls())))
              .collect(Collectors.joining(", ")));
    }

    private double cpuSeconds() throws Exception {
      String info =
          redis.send(Request.cmd(Command.INFO).arg("cpu")).await(10, TimeUnit.SECONDS).toString();
      double total = 0;
      Matcher m = CPU.matcher(info);
      while (m.find()) {
        total += Double.parseDouble(m.group(1));
      }
      return total;
    }
  }

  /** The gateway's near-cache hits, misses and drops so far. */
  private static double[] nearCache(Application app) {
    MeterRegistry registry = app.clients().registry();
    return new double[] {
      registry.get("cart_near_cache_reads").tag("result", "hit").functionCounter().count(),
      registry.get("cart_near_cache_reads").tag("result", "miss").functionCounter().count(),
      registry.get("cart_near_cache_drops").functionCounter().count()
    };
  }

  private static Map<String, Integer> settings(String[] args) {
    Map<String, Integer> settings =
        new LinkedHashMap<>(
            Map.of(
                "rounds", 3,
                "seconds", 10,
                "warmup", 30,
                "readers", 1000,
                "writers", 200,
                "instances", 0,
                "worker", 0));
    for (String arg : args) {
      String[] pair = arg.split("=", 2);
      if (pair.length != 2 || !settings.containsKey(pair[0])) {
        throw new IllegalArgumentException("unknown setting " + arg + "; known: " + settings);
      }
      settings.put(pair[0], Integer.parseInt(pair[1]));
    }
    return settings;
  }

  /** Dev mode's configuration, on a free port; rate limits and every other default as shipped. */
  private static AppConfig config(DevServices services, int instances, String roles)
      throws IOException {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("CART_JWT_SECRET", DevMain.DEV_JWT_SECRET);
    env.put("CART_ADMIN_TOKEN", DevMain.DEV_ADMIN_TOKEN);
    env.put("CART_REDIS_URL", services.redisUrl());
    env.put("CART_REDIS_MODE", "standalone");
    env.put("CART_KAFKA_BOOTSTRAP", services.kafkaBootstrap());
    env.put("CART_DYNAMODB_ENDPOINT", services.dynamoDbEndpoint());
    env.put("CART_HTTP_PORT", Integer.toString(freePort()));
    env.put("CART_VERTICLE_INSTANCES", Integer.toString(instances));
    env.put("CART_ROLES", roles);
    // The load comes from one address; in production each client's own few carts are counted.
    env.put("CART_CLIENT_HOLD_CAP", "0");
    return ConfigLoader.fromLayers(new JsonObject(), System.getProperties(), env);
  }

  /** The shoppers of the run: readers with 5-line carts, writers adding to theirs. */
  private record Seed(
      List<String> readerTokens,
      List<String> readerCarts,
      List<String> writerTokens,
      List<String> writerCarts,
      Buffer body) {}

  private static Seed seed(String gateway, AppConfig config, int readers, int writers)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    JWTAuth jwt =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(
                    new PubSecKeyOptions()
                        .setAlgorithm("HS256")
                        .setBuffer(config.security().jwtSecret())));
    Function<String, String> token =
        user ->
            jwt.generateToken(
                new JsonObject().put("sub", user),
                new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(24 * 3600));
    List<String> readerTokens = new ArrayList<>();
    List<String> readerCarts = new ArrayList<>();
    List<String> writerTokens = new ArrayList<>();
    List<String> writerCarts = new ArrayList<>();
    for (int i = 0; i < readers; i++) {
      readerTokens.add(token.apply("bench-reader-" + i));
      readerCarts.add("u:bench-reader-" + i);
    }
    for (int i = 0; i < writers; i++) {
      writerTokens.add(token.apply("bench-writer-" + i));
      writerCarts.add("u:bench-writer-" + i);
    }
    vertx.close().await(10, TimeUnit.SECONDS);

    HttpClient http = HttpClient.newHttpClient();
    List<CompletableFuture<?>> calls = new ArrayList<>();
    Semaphore inFlight = new Semaphore(16);
    for (int sku = 1; sku <= SKUS; sku++) {
      calls.add(
          call(
              http,
              inFlight,
              HttpRequest.newBuilder(URI.create(gateway + "/v1/admin/skus/SKU-" + sku))
                  .header("Authorization", "Bearer " + config.security().adminToken())
                  .header("Content-Type", "application/json")
                  .PUT(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"price\":\"29.99\",\"currency\":\"USD\",\"stock\":100000000}"))
                  .build()));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
    calls.clear();
    for (int i = 0; i < readers; i++) {
      for (int line = 0; line < LINES; line++) {
        calls.add(
            call(
                http,
                inFlight,
                HttpRequest.newBuilder(URI.create(gateway + "/v1/cart/items"))
                    .header("Authorization", "Bearer " + readerTokens.get(i))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"sku\":\"SKU-" + (1 + (i + line * 7) % SKUS) + "\",\"quantity\":1}"))
                    .build()));
      }
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    HttpResponse<byte[]> cart =
        http.send(
            HttpRequest.newBuilder(URI.create(gateway + "/v1/cart"))
                .header("Authorization", "Bearer " + readerTokens.get(0))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    System.out.printf(
        Locale.ROOT,
        "seeded %d SKUs, %d carts of %d lines (a cart body is %d bytes), %d writers%n",
        SKUS,
        readers,
        LINES,
        cart.body().length,
        writers);
    return new Seed(
        readerTokens, readerCarts, writerTokens, writerCarts, Buffer.buffer(cart.body()));
  }

  /** Sends a seeding call, at most as many at once as the semaphore allows; fails on non-2xx. */
  private static CompletableFuture<?> call(HttpClient http, Semaphore inFlight, HttpRequest request)
      throws InterruptedException {
    inFlight.acquire();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .whenComplete((response, e) -> inFlight.release())
        .thenAccept(
            response -> {
              if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(
                    request.uri() + " answered " + response.statusCode() + ": " + response.body());
              }
            });
  }

  private static Map<ReferenceVerticle.Kind, String> deploy(
      Vertx vertx,
      String redisUrl,
      AppConfig config,
      Buffer body,
      Producer<String, String> producer)
      throws Exception {
    Map<ReferenceVerticle.Kind, String> urls = new LinkedHashMap<>();
    for (ReferenceVerticle.Kind kind : ReferenceVerticle.Kind.values()) {
      int port = freePort();
      vertx
          .deployVerticle(
              () ->
                  new ReferenceVerticle(
                      kind, port, redisUrl, config.redis().poolSize(), body, producer),
              new DeploymentOptions().setInstances(config.http().verticleInstances()))
          .await(30, TimeUnit.SECONDS);
      urls.put(kind, "http://127.0.0.1:" + port + "/");
    }
    return urls;
  }

  /** The gateway's own producer settings: acks=all, idempotent, linger 1 ms. */
  private static Producer<String, String> producer(String bootstrap) {
    Map<String, Object> settings = new HashMap<>();
    settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    settings.put(ProducerConfig.ACKS_CONFIG, "all");
    settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    settings.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    Producer<String, String> producer = new KafkaProducer<>(settings);
    // Fetches the topic's metadata now: the first send would otherwise wait for it.
    producer.partitionsFor(ReferenceVerticle.TOPIC);
    return producer;
  }

  /**
   * A wrk script cycling through the readers: the gateway with their tokens (past its near cache,
   * to Redis, for a name ending in {@code no-cache}), the ref by cart.
   */
  private static Path reads(Path dir, String name, Seed seed, boolean gateway) throws IOException {
    List<String> items = gateway ? seed.readerTokens() : seed.readerCarts();
    String bypass = name.endsWith("no-cache") ? ", ['Cache-Control'] = 'no-cache'" : "";
    String request =
        gateway
            ? "wrk.format('GET', nil, {['Authorization'] = 'Bearer ' .. items[i]" + bypass + "})"
            : "wrk.format('GET', '/' .. items[i])";
    return script(dir.resolve("reads-" + name + ".lua"), items, request);
  }

  /**
   * A wrk script cycling through the writers, each adding one unit of one of its own {@link
   * #WRITER_SKUS} SKUs (of the 50), so that a writer's cart has about as many lines as the seeds'
   * carts (5), not all 50 SKUs after a few seconds.
   */
  private static Path writes(Path dir, String name, Seed seed, boolean gateway) throws IOException {
    List<String> items = gateway ? seed.writerTokens() : seed.writerCarts();
    String sku =
        "1 + ((i - 1) * " + WRITER_SKUS + " + math.random(0, " + (WRITER_SKUS - 1) + ")) % " + SKUS;
    String body = "'{\"sku\":\"SKU-' .. (" + sku + ") .. '\",\"quantity\":1}'";
    String request =
        gateway
            ? "wrk.format('POST', nil, {['Authorization'] = 'Bearer ' .. items[i],"
                + " ['Content-Type'] = 'application/json'}, "
                + body
                + ")"
            : "wrk.format('POST', '/' .. items[i],"
                + " {['Content-Type'] = 'application/json'}, "
                + body
                + ")";
    return script(dir.resolve("writes-" + name + ".lua"), items, request);
  }

  private static Path script(Path file, List<String> items, String request) throws IOException {
    String list = items.stream().map(item -> "'" + item + "'").collect(Collectors.joining(",\n"));
    Files.writeString(
        file,
        String.join(
            "\n",
            "local items = {" + list + "}",
            "local i = 0",
            "setup = function(thread) math.randomseed(os.time()) end",
            "request = function()",
            "  i = i % #items + 1",
            "  return " + request,
            "end",
            ""),
        StandardCharsets.UTF_8);
    return file;
  }

  private static Run wrk(Scenario scenario, int seconds) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "wrk",
                "-t",
                Integer.toString(Math.min(2, scenario.connections())),
                "-c",
                Integer.toString(scenario.connections()),
                "-d",
                seconds + "s",
                "--latency"));
    command.addAll(List.of("-s", scenario.script().toString(), scenario.url()));
    // When each run starts, so that a profile of the whole benchmark can be cut by scenario.
    System.out.printf(
        Locale.ROOT, "wrk: %s from %s for %d s%n", scenario.name(), Instant.now(), seconds);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(seconds + 30L, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("wrk failed: " + out);
    }
    Matcher rate = RATE.matcher(out);
    if (!rate.find()) {
      throw new IllegalStateException("no rate in wrk output: " + out);
    }
    Matcher non2xx = NON_2XX.matcher(out);
    Matcher errors = ERRORS.matcher(out);
    long failures = non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0;
    if (errors.find()) {
      System.out.println(scenario.name() + ": socket errors " + errors.group(1));
    }
    return new Run(
        Double.parseDouble(rate.group(1)), latency(out, "50%"), latency(out, "99%"), failures);
  }

  /** A percentile of wrk's latency distribution, in milliseconds. */
  private static double latency(String out, String percentile) {
    Matcher m =
        Pattern.compile("\\s" + Pattern.quote(percentile) + "\\s+([0-9.]+)(us|ms|s)").matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no " + percentile + " in wrk output: " + out);
    }
    double value = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> value / 1000;
      case "ms" -> value;
      default -> value * 1000;
    };
  }

  private static void report(
      Map<String, Integer> settings, AppConfig config, Map<String, List<Run>> runs) {
    System.out.println();
    System.out.println(
        "hot-path benchmark "
            + settings
            + "; "
            + config.http().verticleInstances()
            + " HTTP verticle instances, "
            + Runtime.getRuntime().availableProcessors()
            + " cores");
    System.out.println(
        "| scenario | connections | requests/s (median; each round) | p50 ms | p99 ms | non-2xx |");
    System.out.println("|---|---|---|---|---|---|");
    for (Map.Entry<String, List<Run>> entry : runs.entrySet()) {
      List<Run> list = entry.getValue();
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %,.0f (%s) | %.2f | %.2f | %d |%n",
          entry.getKey(),
          entry.getKey().endsWith(" 1") ? "1" : entry.getKey().endsWith(" 16") ? "16" : "64",
          median(list, Run::rate),
          list.stream()
              .map(r -> String.format(Locale.ROOT, "%,.0f", r.rate()))
              .collect(Collectors.joining(", ")),
          median(list, Run::p50Millis),
          median(list, Run::p99Millis),
          list.stream().mapToLong(Run::failures).sum());
    }
    System.out.println();
    ratio(runs, "GET gateway no-cache", "GET HGETALL ref", 0.8);
    ratio(runs, "GET gateway", "GET static ref", 0.6);
    ratio(runs, "POST gateway 16", "POST write ref 16", 0.6);
    double[] p50Gaps =
        IntStream.range(0, runs.get("POST gateway 1").size())
            .mapToDouble(
                i ->
                    runs.get("POST gateway 1").get(i).p50Millis()
                        - runs.get("POST write ref 1").get(i).p50Millis())
            .sorted()
            .toArray();
    System.out.printf(
        Locale.ROOT,
        "POST p50 at 1 connection, gateway minus write ref: %.2f ms (rounds %s; target <= 1.5)%n",
        p50Gaps[p50Gaps.length / 2],
        Arrays.stream(p50Gaps)
            .mapToObj(gap -> String.format(Locale.ROOT, "%.2f", gap))
            .collect(Collectors.joining(", ")));
  }

  /**
   * The latency targets, each beside its reference at the same rate: GET (near cache, as shipped)
   * at half of the saturation rate measured above, and POST at 1,000 writes a second. wrk only runs
   * closed loops, so each connection waits between its requests (wrk's {@code delay} hook) to hold
   * about that rate; the wait leaves out each request's own latency, so the rate reached is printed
   * too.
   */
  private static void paced(
      Path dir, List<Scenario> scenarios, Map<String, List<Run>> runs, int seconds)
      throws Exception {
    double halfGet = median(runs.get("GET gateway"), Run::rate) / 2;
    double postLatency = median(runs.get("POST gateway 1"), Run::p50Millis);
    System.out.println();
    System.out.println(
        "| paced scenario | connections | target/s | reached/s | p50 ms | p99 ms | non-2xx |");
    System.out.println("|---|---|---|---|---|---|---|");
    Run get = paced(dir, find(scenarios, "GET gateway"), 256, halfGet, 1, seconds);
    paced(dir, find(scenarios, "GET static ref"), 256, halfGet, 1, seconds);
    Run post = paced(dir, find(scenarios, "POST gateway 16"), 32, 1000, postLatency, seconds);
    paced(dir, find(scenarios, "POST write ref 16"), 32, 1000, postLatency, seconds);
    System.out.printf(
        Locale.ROOT,
        "GET gateway at half its saturation (%,.0f/s): p99 %.2f ms (target <= 5)%n",
        get.rate(),
        get.p99Millis());
    System.out.printf(
        Locale.ROOT,
        "POST gateway at 1,000/s (reached %,.0f/s): p99 %.2f ms (target <= 10)%n",
        post.rate(),
        post.p99Millis());
  }

  private static Run paced(
      Path dir, Scenario closed, int connections, double rate, double latencyMillis, int seconds)
      throws Exception {
    long wait = Math.max(0, Math.round(connections * 1000.0 / rate - latencyMillis));
    String script = Files.readString(closed.script());
    Path file = dir.resolve("paced-" + closed.name().replaceAll("\\W+", "-") + ".lua");
    Files.writeString(
        file, script + "delay = function() return " + wait + " end\n", StandardCharsets.UTF_8);
    Scenario scenario = new Scenario(closed.name(), closed.url(), file, connections);
    // Warmed at the same rate first, as the closed scenarios are: otherwise the measured window
    // opens with every reader's lease long ended, a thousand reads to Redis at once.
    wrk(scenario, Math.max(3, seconds / 2));
    Run run = wrk(scenario, seconds);
    System.out.printf(
        Locale.ROOT,
        "| %s | %d | %,.0f | %,.0f | %.2f | %.2f | %d |%n",
        closed.name(),
        connections,
        rate,
        run.rate(),
        run.p50Millis(),
        run.p99Millis(),
        run.failures());
    return run;
  }

  private static Scenario find(List<Scenario> scenarios, String name) {
    return scenarios.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  /** The median over rounds of the per-round ratio of two scenarios' throughputs. */
  private static void ratio(
      Map<String, List<Run>> runs, String measured, String reference, double target) {
    double[] ratios =
        IntStream.range(0, runs.get(measured).size())
            .mapToDouble(i -> runs.get(measured).get(i).rate() / runs.get(reference).get(i).rate())
            .sorted()
            .toArray();
    System.out.printf(
        Locale.ROOT,
        "%s / %s: %.2f (rounds %s; target >= %.1f)%n",
        measured,
        reference,
        ratios[ratios.length / 2],
        Arrays.stream(ratios)
            .mapToObj(r -> String.format(Locale.ROOT, "%.2f", r))
            .collect(Collectors.joining(", ")),
        target);
  }

  private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> value) {
    double[] sorted = runs.stream().mapToDouble(value).sorted().toArray();
    return sorted[sorted.length / 2];
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
