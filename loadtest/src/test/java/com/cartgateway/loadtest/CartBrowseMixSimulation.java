package com.cartgateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Simulation;

/**
 * The browse mix (see {@link BrowseMix}): 100 reads to 1 write on carts of {@code lines} (5)
 * lines, for {@code durationSeconds}.
 */
public class CartBrowseMixSimulation extends Simulation {

  static final LoadTestConfig.Defaults DEFAULTS = new LoadTestConfig.Defaults(200, 30, 500, 5);

  {
    LoadTestConfig cfg = LoadTestConfig.get(DEFAULTS);
    BrowseMix mix = new BrowseMix(cfg);
    System.out.println("[loadtest] CartBrowseMixSimulation " + mix.describe());

    mix.warnAboutRateLimits();
    setUp(mix.population())
        .protocols(mix.chains().protocol())
        .maxDuration(mix.chains().maxDuration(mix.shopperCount()))
        .assertions(global().failedRequests().percent().lt(1.0));
  }
}
