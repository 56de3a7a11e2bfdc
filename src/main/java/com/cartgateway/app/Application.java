package com.cartgateway.app;

import com.cartgateway.cart.CartBodies;
import com.cartgateway.cart.RefusedWriters;
import com.cartgateway.circuit.Circuits;
import com.cartgateway.config.AppConfig;
import com.cartgateway.config.Role;
import com.cartgateway.durability.GroupProgress;
import com.cartgateway.dynamo.DynamoTables;
import com.cartgateway.events.DirectSends;
import com.cartgateway.events.Topics;
import com.cartgateway.http.CartHttpVerticle;
import com.cartgateway.inventory.PriceCache;
import com.cartgateway.process.ProcessClients;
import com.cartgateway.reconcile.AbandonmentVerticle;
import com.cartgateway.reconcile.HoldReaperVerticle;
import com.cartgateway.reconcile.UnpublishedSweepVerticle;
import com.cartgateway.store.NearCache;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.Scripts;
import com.cartgateway.trace.SpanExport;
import com.cartgateway.worker.WriteBehindVerticle;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/** One running gateway process: Vert.x, the shared clients, and the deployed roles. */
public final class Application {
  private static final Logger LOG = Logger.getLogger(Application.class.getName());

  private final Vertx vertx;
  private final ProcessClients clients;

  private Application(Vertx vertx, ProcessClients clients) {
    this.vertx = vertx;
    this.clients = clients;
  }

  /**
   * Starts the roles that the configuration names.
   *
   * @return the running application, or a failure when a dependency or a script is broken
   */
  public static Future<Application> start(AppConfig config) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(latencyHistograms());
    Vertx vertx =
        Vertx.builder()
            .with(new VertxOptions().setMetricsOptions(metricsOptions()))
            .withMetrics(new MicrometerMetricsFactory(registry))
            .build();
    // Before any role: every circuit's meters exist from the start, at 0 (closed).
    Circuits.forProcess(vertx, registry);
    Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000));
    ProcessClients clients =
        new ProcessClients(
            registry,
            new PriceCache(config.cart().priceCacheTtl(), registry),
            new CartBodies(config.cart().bodyCacheBytes(), registry),
            NearCache.start(
                vertx,
                config.redis(),
                config.roles().contains(Role.HTTP) ? config.cart().nearCacheEntries() : 0,
                RedisKeys.CART_PREFIX,
                "cart_near_cache",
                registry),
            new RefusedWriters(),
            admin,
            DynamoTables.client(config.dynamoDb()),
            producer(config.kafka()),
            new DirectSends(),
            SpanExport.start(config.tracing(), config.roles()),
            // One reader per topic and process: every verticle shares its cache and its one read.
            new GroupProgress(
                admin,
                config.worker().groupId(),
                Topics.CART_EVENTS,
                GroupProgress.DEFAULT_MAX_AGE,
                registry),
            new GroupProgress(
                admin,
                config.worker().groupId(),
                Topics.CATALOG_EVENTS,
                GroupProgress.DEFAULT_MAX_AGE,
                null));
    Application app = new Application(vertx, clients);
    return app.deploy(config)
        .map(app)
        .recover(e -> app.close().transform(ignored -> Future.failedFuture(e)));
  }

  private Future<Void> deploy(AppConfig config) {
    List<Future<?>> deployments = new ArrayList<>();
    // One reader of the worker group's progress per process, whatever its roles: the health checks
    // report its lag, the worker exports it, and all of them share its cache. The first read
    // starts now, in the background, so that the lag gauges exist before the first scrape.
    clients
        .cartProgress()
        .snapshot()
        .onFailure(e -> LOG.fine("write-behind progress not read yet: " + e));
    // Every role that runs scripts loads them all first, so that one with an error stops the start.
    Future<Void> scripts = Future.succeededFuture();
    if (config.roles().contains(Role.HTTP) || config.roles().contains(Role.TIMER)) {
      RedisGateway loader = RedisGateway.create(vertx, config.redis());
      scripts = loader.load(Scripts.ALL).eventually(loader::close);
    }
    if (config.roles().contains(Role.HTTP)) {
      deployments.add(
          scripts.compose(
              loaded ->
                  vertx.deployVerticle(
                      () -> new CartHttpVerticle(config, clients),
                      new DeploymentOptions().setInstances(config.http().verticleInstances()))));
    }
    if (config.roles().contains(Role.WORKER)) {
      // A worker context keeps the decoding and encoding of batches off the HTTP event loops.
      deployments.add(
          vertx.deployVerticle(
              () ->
                  new WriteBehindVerticle(
                      config,
                      clients.registry(),
                      clients.cartProgress(),
                      clients.dynamo(),
                      clients.spans()),
              new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)));
    }
    if (config.roles().contains(Role.TIMER)) {
      deployments.add(
          scripts.compose(
              loaded ->
                  Future.all(
                      vertx.deployVerticle(
                          () -> new HoldReaperVerticle(config, clients), new DeploymentOptions()),
                      vertx.deployVerticle(
                          () -> new AbandonmentVerticle(config, clients), new DeploymentOptions()),
                      vertx.deployVerticle(
                          () -> new UnpublishedSweepVerticle(config, clients),
                          new DeploymentOptions()))));
    }
    return Future.all(deployments)
        .onSuccess(
            ok ->
                LOG.info(
                    "cart gateway started: roles="
                        + config.roles()
                        + " port="
                        + config.http().port()
                        + " httpInstances="
                        + config.http().verticleInstances()))
        .mapEmpty();
  }

  /** The clients the verticles share (for tests and the dev launcher). */
  public ProcessClients clients() {
    return clients;
  }

  /**
   * Stops gracefully: the HTTP verticles stop accepting and finish their requests, then the shared
   * clients close and the spans not yet exported are sent.
   */
  public Future<Void> close() {
    clients.nearCache().close();
    return vertx
        .close()
        .eventually(
            () -> {
              // close() flushes: every record sent before the stop reaches the brokers.
              clients.producer().close(Duration.ofSeconds(10));
              clients.kafkaAdmin().close(Duration.ofSeconds(5));
              clients.dynamo().close();
              // After the verticles: the spans of the last requests and batches have ended.
              clients.spans().ifPresent(spans -> spans.close(10, TimeUnit.SECONDS));
              return Future.succeededFuture();
            });
  }

  /**
   * One producer per process (it is thread-safe and batches across verticles): idempotent, with
   * {@code acks=all}, so that an acknowledged record survives the loss of a broker.
   */
  private static Producer<String, String> producer(AppConfig.Kafka kafka) {
    int delivery = (int) kafka.deliveryTimeout().toMillis();
    Map<String, Object> settings = new java.util.HashMap<>();
    settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
    settings.put(ProducerConfig.ACKS_CONFIG, "all");
    settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    settings.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(delivery / 2, 100));
    settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, delivery);
    settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, delivery);
    settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    return new KafkaProducer<>(settings);
  }

  private static MicrometerMetricsOptions metricsOptions() {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setPrometheusOptions(
            new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true))
        // Requests are timed by route in http/RouteMetrics instead, at a fraction of the cost.
        .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER);
  }

  /**
   * Latency histograms (for p50/p99 in Prometheus) on every timer of Vert.x and of ours, with a
   * bucket at 500 ms, the end-to-end p99 budget the p99 alert of deploy/prometheus checks.
   */
  private static MeterFilter latencyHistograms() {
    return new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(
          Meter.Id id, DistributionStatisticConfig config) {
        if (id.getType() != Meter.Type.TIMER) {
          return config;
        }
        return DistributionStatisticConfig.builder()
            .percentilesHistogram(true)
            .minimumExpectedValue((double) Duration.ofMillis(1).toNanos())
            .maximumExpectedValue((double) Duration.ofSeconds(10).toNanos())
            .serviceLevelObjectives(
                (double) Duration.ofMillis(100).toNanos(),
                (double) Duration.ofMillis(500).toNanos())
            .build()
            .merge(config);
      }
    };
  }
}
