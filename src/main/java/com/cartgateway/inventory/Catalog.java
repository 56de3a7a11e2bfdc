package com.cartgateway.inventory;

import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;

/**
 * The operators' change of the catalog: a SKU's price and stock, on {@code catalog.events} before
 * it is acknowledged, as every cart change is on {@code cart.events}.
 */
public final class Catalog {
  private final InventoryStore inventory;
  private final CatalogJournal journal;
  private final Clock clock;

  /**
   * @param inventory the stock store
   * @param journal what publishes each change before it completes
   * @param clock the time of the change
   */
  public Catalog(InventoryStore inventory, CatalogJournal journal, Clock clock) {
    this.inventory = inventory;
    this.journal = journal;
    this.clock = clock;
  }

  /**
   * Sets a SKU's price and units on hand (sold starts again from zero), published before it
   * completes; refused as {@link InventoryStore#put} refuses.
   */
  public Future<SkuEntry> put(String sku, long price, String currency, long stock) {
    return journal.record(
        List.of(sku), () -> inventory.put(sku, price, currency, stock, clock.millis()));
  }
}
