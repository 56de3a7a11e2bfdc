package com.cartgateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;

/**
 * Setup: {@code skus} SKUs through the admin API, then every shopper's cart is emptied with
 * {@code DELETE /v1/cart}. Measured: {@code rate} new virtual users a second for {@code
 * durationSeconds}, each one {@code POST /v1/cart/items} of quantity 1 of a random SKU by a
 * random shopper.
 *
 * <p>The shopper count is {@code max(users, ceil(rate * durationSeconds / 25))}, and no shopper
 * gets more than 30 adds in a run, so that neither the 100-line nor the 999-quantity cap of a cart
 * is reached, and per-shopper write rates stay far below the gateway's per-identity limit.
 */
public class CartWriteSimulation extends Simulation {

  /** {@code lines} is not used: carts start empty. */
  static final LoadTestConfig.Defaults DEFAULTS = new LoadTestConfig.Defaults(200, 30, 500, 1);

  {
    LoadTestConfig cfg = LoadTestConfig.get(DEFAULTS);
    int shopperCount = CartChains.shoppersForWrites(cfg, cfg.plannedRequests());
    CartChains chains = new CartChains(cfg, shopperCount);
    System.out.println(
        "[loadtest] CartWriteSimulation " + cfg.describe() + " shoppers=" + shopperCount
            + " plannedWrites=" + cfg.plannedRequests());

    LoadTestConfig.warnAboutRateLimits(0, cfg.rate(), shopperCount);
    setUp(
            chains
                .catalogSetup()
                .andThen(
                    chains
                        .cartSetup(0)
                        .andThen(
                            scenario("cart writes")
                                .exec(chains.addItem())
                                .injectOpen(constantUsersPerSec(cfg.rate()).during(cfg.duration())))))
        .protocols(chains.protocol())
        .maxDuration(chains.maxDuration(shopperCount))
        .assertions(global().failedRequests().percent().lt(1.0));
  }
}
