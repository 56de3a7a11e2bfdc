package com.cartgateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Simulation;

/**
 * A soak: the browse mix (see {@link BrowseMix}) at a moderate {@code rate} (100/s) for a long
 * {@code durationSeconds} (30 minutes), long enough for holds to lapse (15 minutes by default) and
 * for leaks and slow drifts to show. Assertions over the whole run: under 1% failed requests, and
 * the 99th percentile of response times under {@code p99Millis}. Whether latency stayed flat is
 * read from the report's response-time percentiles over time.
 */
public class CartSoakSimulation extends Simulation {

  static final LoadTestConfig.Defaults DEFAULTS = new LoadTestConfig.Defaults(200, 1800, 100, 5);

  {
    LoadTestConfig cfg = LoadTestConfig.get(DEFAULTS);
    BrowseMix mix = new BrowseMix(cfg);
    System.out.println("[loadtest] CartSoakSimulation " + mix.describe());

    mix.warnAboutRateLimits();
    setUp(mix.population())
        .protocols(mix.chains().protocol())
        .maxDuration(mix.chains().maxDuration(mix.shopperCount()))
        .assertions(
            global().failedRequests().percent().lt(1.0),
            global().responseTime().percentile(99.0).lt(cfg.p99Millis()));
  }
}
