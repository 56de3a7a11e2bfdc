package com.cartgateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;

/**
 * Guests browse, then sign in and merge (see {@link CartChains#guestSignsInAndMerges()}). Setup:
 * {@code skus} SKUs, then every shopper's cart emptied and given 1 line (a cart from another
 * device, so that some guest SKUs are in both carts). Measured: {@code rate} new guests a second
 * for {@code durationSeconds}, each merging into a shopper of its own.
 *
 * <p>Shoppers: {@code max(users, rate * durationSeconds)}, so that no shopper merges twice.
 */
public class CartGuestMergeSimulation extends Simulation {

  /** 10 new guests a second: the gateway counts them by client address, 20 writes a second. */
  static final LoadTestConfig.Defaults DEFAULTS = new LoadTestConfig.Defaults(200, 30, 10, 3);

  {
    LoadTestConfig cfg = LoadTestConfig.get(DEFAULTS);
    int shopperCount = (int) Math.max(cfg.users(), cfg.plannedRequests());
    CartChains chains = new CartChains(cfg, shopperCount);
    System.out.println(
        "[loadtest] CartGuestMergeSimulation " + cfg.describe() + " shoppers=" + shopperCount
            + " plannedGuests=" + cfg.plannedRequests());

    LoadTestConfig.warnAboutNewGuests(cfg.rate());
    setUp(
            chains
                .catalogSetup()
                .andThen(
                    chains
                        .cartSetup(1)
                        .andThen(
                            scenario("guests sign in")
                                .exec(chains.guestSignsInAndMerges())
                                .injectOpen(
                                    constantUsersPerSec(cfg.rate()).during(cfg.duration())))))
        .protocols(chains.protocol())
        .maxDuration(chains.maxDuration(shopperCount))
        .assertions(global().failedRequests().percent().lt(1.0));
  }
}
