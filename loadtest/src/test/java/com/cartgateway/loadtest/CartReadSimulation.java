package com.cartgateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;

/**
 * Setup: {@code skus} SKUs through the admin API, then each of {@code users} shoppers gets an
 * emptied cart with {@code lines} (3) lines. Measured: {@code rate} new virtual users a second for
 * {@code durationSeconds}, each one {@code GET /v1/cart} by a random shopper (half of them
 * conditional with {@code If-None-Match}).
 */
public class CartReadSimulation extends Simulation {

  /** Carts of 3 lines, the shape of the read figures in docs/benchmarks.md. */
  static final LoadTestConfig.Defaults DEFAULTS = new LoadTestConfig.Defaults(200, 30, 500, 3);

  {
    LoadTestConfig cfg = LoadTestConfig.get(DEFAULTS);
    int shopperCount = cfg.users();
    CartChains chains = new CartChains(cfg, shopperCount);
    System.out.println(
        "[loadtest] CartReadSimulation " + cfg.describe() + " shoppers=" + shopperCount
            + " plannedReads=" + cfg.plannedRequests());

    LoadTestConfig.warnAboutRateLimits(cfg.rate(), 0, shopperCount);
    setUp(
            chains
                .catalogSetup()
                .andThen(
                    chains
                        .cartSetup(cfg.lines())
                        .andThen(
                            scenario("cart reads")
                                .exec(chains.readCart())
                                .injectOpen(constantUsersPerSec(cfg.rate()).during(cfg.duration())))))
        .protocols(chains.protocol())
        .maxDuration(chains.maxDuration(shopperCount))
        .assertions(global().failedRequests().percent().lt(1.0));
  }
}
