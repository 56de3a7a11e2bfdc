package com.cartgateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;

/**
 * The production shape: 100 reads to 1 write. Setup as in {@link CartReadSimulation} (SKUs, then
 * each shopper's cart emptied and given 3 lines). Measured: {@code rate} requests a second in
 * total for {@code durationSeconds}, {@code rate * 100/101} of them {@code GET /v1/cart} (half
 * conditional) and {@code rate / 101} {@code POST /v1/cart/items}, both by random shoppers; the
 * writes make some of the remembered ETags stale, so conditional reads see both 200 and 304.
 */
public class CartMixedSimulation extends Simulation {

  static final int READS_PER_WRITE = 100;

  {
    LoadTestConfig cfg = LoadTestConfig.get();
    double readRate = cfg.rate() * READS_PER_WRITE / (READS_PER_WRITE + 1);
    double writeRate = cfg.rate() / (READS_PER_WRITE + 1);
    int shopperCount = CartChains.shoppersForWrites(cfg, writeRate * cfg.durationSeconds());
    CartChains chains = new CartChains(cfg, shopperCount);
    System.out.printf(
        "[loadtest] CartMixedSimulation %s shoppers=%d readsPerSec=%.2f writesPerSec=%.2f%n",
        cfg.describe(), shopperCount, readRate, writeRate);

    LoadTestConfig.warnAboutRateLimits(readRate, writeRate, shopperCount);
    setUp(
            chains
                .catalogSetup()
                .andThen(
                    chains
                        .cartSetup(LoadTestConfig.SETUP_LINES_PER_CART)
                        .andThen(
                            scenario("cart reads")
                                .exec(chains.readCart())
                                .injectOpen(constantUsersPerSec(readRate).during(cfg.duration())),
                            scenario("cart writes")
                                .exec(chains.addItem())
                                .injectOpen(constantUsersPerSec(writeRate).during(cfg.duration())))))
        .protocols(chains.protocol())
        .maxDuration(chains.maxDuration(shopperCount))
        .assertions(global().failedRequests().percent().lt(1.0));
  }
}
