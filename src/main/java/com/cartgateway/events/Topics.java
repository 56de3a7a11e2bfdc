package com.cartgateway.events;

import java.util.List;

/**
 * The Kafka topics of the contract, values JSON, keys cart ids; and the gateway's own {@code
 * catalog.events}, keyed by SKU.
 */
public final class Topics {
  /** Every applied cart change, with the new version and the full state. */
  public static final String CART_EVENTS = "cart.events";

  /** Every order placed at checkout. */
  public static final String CHECKOUTS = "cart.checkouts";

  /** Carts idle past the abandonment threshold, once per idle period. */
  public static final String ABANDONED = "cart.abandoned";

  /** The first change of a cart after it was reported abandoned. */
  public static final String RECOVERED = "cart.recovered";

  /** Every change of a SKU's price, stock or sales, with its new durable state (internal). */
  public static final String CATALOG_EVENTS = "catalog.events";

  /** All of them, for creating them in dev mode and tests. */
  public static final List<String> ALL =
      List.of(CART_EVENTS, CHECKOUTS, ABANDONED, RECOVERED, CATALOG_EVENTS);

  private Topics() {}
}
