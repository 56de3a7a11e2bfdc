package com.cartgateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.Locale;

/**
 * An add-to-cart burst, as when a flash sale opens. Setup as in {@link CartWriteSimulation} (SKUs,
 * every cart emptied). Measured, {@code durationSeconds} in three equal steps of {@code POST
 * /v1/cart/items} (quantity 1, random SKU, random shopper): {@code rate / 10} a second, then at
 * once the full {@code rate}, then {@code rate / 10} again, which shows whether the gateway
 * recovers once the burst is over. Only 200 is a success.
 */
public class CartAddBurstSimulation extends Simulation {

  /** {@code lines} is not used: carts start empty. */
  static final LoadTestConfig.Defaults DEFAULTS = new LoadTestConfig.Defaults(200, 30, 500, 1);

  /** The rate before and after the burst is the peak rate divided by this. */
  static final int PEAK_OVER_BASE = 10;

  {
    LoadTestConfig cfg = LoadTestConfig.get(DEFAULTS);
    double baseRate = cfg.rate() / PEAK_OVER_BASE;
    Duration step = cfg.duration().dividedBy(3);
    Duration lastStep = cfg.duration().minus(step.multipliedBy(2));
    double plannedWrites =
        baseRate * (step.toMillis() + lastStep.toMillis()) / 1000.0
            + cfg.rate() * step.toMillis() / 1000.0;
    int shopperCount = CartChains.shoppersForWrites(cfg, plannedWrites);
    CartChains chains = new CartChains(cfg, shopperCount);
    System.out.printf(
        Locale.ROOT,
        "[loadtest] CartAddBurstSimulation %s shoppers=%d baseWritesPerSec=%.2f"
            + " peakWritesPerSec=%.2f plannedWrites=%.0f%n",
        cfg.describe(),
        shopperCount,
        baseRate,
        cfg.rate(),
        plannedWrites);

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
                                .injectOpen(
                                    constantUsersPerSec(baseRate).during(step),
                                    constantUsersPerSec(cfg.rate()).during(step),
                                    constantUsersPerSec(baseRate).during(lastStep)))))
        .protocols(chains.protocol())
        .maxDuration(chains.maxDuration(shopperCount))
        .assertions(global().failedRequests().percent().lt(1.0));
  }
}
