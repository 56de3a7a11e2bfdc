package com.cartgateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.PopulationBuilder;
import java.util.Locale;

/**
 * The browse mix, the production shape of 100 reads to 1 write, shared by {@link
 * CartBrowseMixSimulation} and {@link CartSoakSimulation}. Setup: {@code skus} SKUs, then each
 * shopper's cart emptied and given {@code lines} lines. Measured: {@code rate} requests a second
 * in total for {@code durationSeconds}, {@code rate * 100/101} of them {@code GET /v1/cart} (half
 * conditional) and {@code rate / 101} {@code POST /v1/cart/items}, both by random shoppers; the
 * writes make some of the remembered ETags stale, so conditional reads see both 200 and 304.
 */
final class BrowseMix {

  static final int READS_PER_WRITE = 100;

  private final LoadTestConfig cfg;
  private final double readRate;
  private final double writeRate;
  private final int shopperCount;
  private final CartChains chains;

  BrowseMix(LoadTestConfig cfg) {
    this.cfg = cfg;
    this.readRate = cfg.rate() * READS_PER_WRITE / (READS_PER_WRITE + 1);
    this.writeRate = cfg.rate() / (READS_PER_WRITE + 1);
    this.shopperCount = CartChains.shoppersForWrites(cfg, writeRate * cfg.durationSeconds());
    this.chains = new CartChains(cfg, shopperCount);
  }

  String describe() {
    return String.format(
        Locale.ROOT,
        "%s shoppers=%d readsPerSec=%.2f writesPerSec=%.2f",
        cfg.describe(),
        shopperCount,
        readRate,
        writeRate);
  }

  void warnAboutRateLimits() {
    LoadTestConfig.warnAboutRateLimits(readRate, writeRate, shopperCount);
  }

  CartChains chains() {
    return chains;
  }

  int shopperCount() {
    return shopperCount;
  }

  /** Setup, then reads and writes side by side. */
  PopulationBuilder population() {
    return chains
        .catalogSetup()
        .andThen(
            chains
                .cartSetup(cfg.lines())
                .andThen(
                    scenario("cart reads")
                        .exec(chains.readCart())
                        .injectOpen(constantUsersPerSec(readRate).during(cfg.duration())),
                    scenario("cart writes")
                        .exec(chains.addItem())
                        .injectOpen(constantUsersPerSec(writeRate).during(cfg.duration()))));
  }
}
