package com.cartgateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * A checkout rush on scarce stock (see {@link CheckoutRush}). Setup: every one of {@code users}
 * (500) shoppers' carts emptied, then {@code scarceSkus} (2) SKUs of {@code stock} (50) units.
 * Measured: the {@code users} shoppers arrive at {@code rate} a second, each once: add 1 unit,
 * check out, give back what it may hold. Then the stock is verified. {@code durationSeconds} and
 * {@code lines} are not used: the rush lasts {@code users / rate} seconds.
 */
public class CartCheckoutRushSimulation extends Simulation {

  /** 500 shoppers for 100 units: every unit is wanted five times. */
  static final LoadTestConfig.Defaults DEFAULTS = new LoadTestConfig.Defaults(500, 30, 500, 1);

  private final CheckoutRush rush;

  {
    LoadTestConfig cfg = LoadTestConfig.get(DEFAULTS);
    int shopperCount = cfg.users();
    CartChains chains = new CartChains(cfg, shopperCount);
    rush = new CheckoutRush(cfg, chains);
    Duration arrivals =
        Duration.ofMillis(Math.max(1, Math.round(shopperCount * 1000.0 / cfg.rate())));
    long units = (long) cfg.scarceSkus() * cfg.stock();
    System.out.println(
        "[loadtest] CartCheckoutRushSimulation " + cfg.describe() + " shoppers=" + shopperCount
            + " units=" + units + " arrivalMillis=" + arrivals.toMillis());
    if (shopperCount <= units) {
      System.out.println(
          "[loadtest] WARNING: " + shopperCount + " shoppers for " + units + " units: nothing"
              + " sells out, so the rush cannot show an oversell; raise -Dusers or lower -Dstock");
    }

    setUp(
            chains
                .cartSetup(0)
                .andThen(
                    rush.stockSetup()
                        .andThen(
                            scenario("rush")
                                .exec(rush.shopper())
                                .injectOpen(rampUsers(shopperCount).during(arrivals))
                                .andThen(rush.verification()))))
        .protocols(chains.protocol())
        .maxDuration(chains.maxDuration(shopperCount, arrivals))
        .assertions(
            global().failedRequests().percent().lt(1.0),
            details(CheckoutRush.VERIFY_GROUP, CheckoutRush.VERIFY_REQUEST)
                .failedRequests()
                .count()
                .is(0L));
  }

  @Override
  public void after() {
    System.out.print(rush.summary());
  }
}
