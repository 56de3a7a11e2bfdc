package com.cartgateway.reconcile;

import com.cartgateway.cart.CartJournal;
import com.cartgateway.inventory.CatalogJournal;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * Brings Redis and the logs back into agreement: a mark of an unpublished change older than the
 * grace period is a change whose event Kafka refused, or whose process died before publishing it.
 * The current state of its cart or SKU is published (its version covers the missing one; the worker
 * ignores a version it already has), and only then do the marks go.
 */
public final class UnpublishedSweeper {
  private final CartJournal carts;
  private final CatalogJournal catalog;
  private final Duration grace;

  /**
   * @param carts the journal of carts
   * @param catalog the journal of SKUs
   * @param grace how old a mark must be: longer than any change in flight may take
   */
  public UnpublishedSweeper(CartJournal carts, CatalogJournal catalog, Duration grace) {
    this.carts = carts;
    this.catalog = catalog;
    this.grace = grace;
  }

  /** Sweeps the carts' marks, then the SKUs'; returns how many states were published again. */
  public Future<Integer> sweep() {
    return carts.sweep(grace).compose(n -> catalog.sweep(grace).map(m -> n + m));
  }
}
