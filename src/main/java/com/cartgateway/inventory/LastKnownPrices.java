package com.cartgateway.inventory;

import com.cartgateway.dynamo.DynamoCatalog;
import com.cartgateway.events.SkuState;
import com.cartgateway.store.StoreUnavailableException;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Catalog prices for a cart read while Redis is down: the process's price cache where it still has
 * a price, else the catalog table (strongly consistent), which the worker keeps from {@code
 * catalog.events} and so may lag a change Redis has. Nothing read here goes into the price cache:
 * once Redis answers again, reads price from Redis.
 */
public final class LastKnownPrices {
  private final PriceCache cache;
  private final DynamoCatalog catalog;

  /**
   * @param cache the process's price cache
   * @param catalog the catalog table
   */
  public LastKnownPrices(PriceCache cache, DynamoCatalog catalog) {
    this.cache = cache;
    this.catalog = catalog;
  }

  /**
   * The price of each SKU (empty inside when neither the cache nor the table has it); fails with
   * {@link StoreUnavailableException} when DynamoDB does not answer.
   */
  public Future<Map<String, Optional<Price>>> of(Collection<String> skus) {
    PriceCache.Lookup cached = cache.lookup(skus);
    Map<String, Optional<Price>> found = cached.found();
    List<String> missing = cached.missing();
    if (missing.isEmpty()) {
      return Future.succeededFuture(found);
    }
    return catalog
        .read(missing)
        .recover(e -> Future.failedFuture(new StoreUnavailableException("dynamodb", e)))
        .map(
            stored -> {
              for (String sku : missing) {
                SkuState state = stored.get(sku);
                found.put(
                    sku,
                    state == null
                        ? Optional.empty()
                        : Optional.of(new Price(state.price(), state.currency())));
              }
              return found;
            });
  }
}
