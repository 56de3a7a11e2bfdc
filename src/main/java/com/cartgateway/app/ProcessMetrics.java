package com.cartgateway.app;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.time.Duration;

/** The metrics of one process: its Prometheus registry, and a Vert.x that reports into it. */
final class ProcessMetrics {
  private ProcessMetrics() {}

  /** A registry with latency histograms on every timer. */
  static PrometheusMeterRegistry registry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(latencyHistograms());
    return registry;
  }

  /** A Vert.x whose own meters (event loops, pools, clients, the JVM) go to the registry. */
  static Vertx vertx(PrometheusMeterRegistry registry) {
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(metricsOptions()))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
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
