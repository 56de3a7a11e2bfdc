package com.cartgateway.inventory;

import com.cartgateway.commerce.CartException;
import com.cartgateway.commerce.CartException.Reason;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.ScriptReply;
import com.cartgateway.store.Scripts;
import com.cartgateway.store.SkuRecords;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The catalog and stock counters in Redis: one script per change, each on the SKU's slot. */
public final class InventoryStore {

  private final RedisGateway redis;
  private final PriceCache prices;
  private final Clock clock;
  private final CatalogRebuilder catalog;
  private final Counter placed;

  /**
   * @param redis the verticle's Redis client
   * @param prices the process's price cache
   * @param clock the time holds are judged at
   * @param catalog what tells a SKU not in the catalog from one not restored yet
   * @param registry where held units are counted
   */
  public InventoryStore(
      RedisGateway redis,
      PriceCache prices,
      Clock clock,
      CatalogRebuilder catalog,
      MeterRegistry registry) {
    this.redis = redis;
    this.prices = prices;
    this.clock = clock;
    this.catalog = catalog;
    this.placed =
        Counter.builder("cart_holds_placed_units")
            .description("Units soft-reserved for carts")
            .register(registry);
  }

  /**
   * Sets a SKU's price and units on hand; sold starts again from zero.
   *
   * <p>Fails with a {@link CartException} VALIDATION_FAILED when stock is below the units held.
   */
  public Future<SkuEntry> put(String sku, long price, String currency, long stock, long nowMillis) {
    return Scripts.SKU_PUT
        .call(redis, List.of(RedisKeys.sku(sku)), List.of(price, currency, stock, nowMillis))
        .compose(
            reply -> {
              if (reply.get(0).toString().equals("below_reserved")) {
                long reserved = reply.get(1).toLong();
                return Future.failedFuture(
                    new CartException(
                        Reason.VALIDATION_FAILED,
                        "stock " + stock + " is below the " + reserved + " units held in carts",
                        new JsonObject().put("reserved", reserved)));
              }
              prices.invalidate(sku);
              return SkuRecords.index(redis, sku)
                  .map(
                      ignored ->
                          new SkuEntry(
                              sku,
                              reply.get(1).toLong(),
                              reply.get(2).toString(),
                              reply.get(3).toLong(),
                              reply.get(4).toLong(),
                              reply.get(5).toLong(),
                              reply.get(6).toLong()));
            });
  }

  /** A SKU's entry and counters, or empty when it is not in the catalog. */
  public Future<Optional<SkuEntry>> get(String sku) {
    return SkuRecords.fields(
            redis,
            sku,
            SkuRecords.PRICE,
            SkuRecords.CURRENCY,
            SkuRecords.STOCK,
            SkuRecords.AVAILABLE,
            SkuRecords.RESERVED,
            SkuRecords.SOLD)
        .compose(
            r ->
                r.get(0) == null
                    ? catalog.confirmUnknown(sku).map(Optional.<SkuEntry>empty())
                    : Future.succeededFuture(
                        Optional.of(
                            new SkuEntry(
                                sku,
                                Long.parseLong(r.get(0)),
                                r.get(1),
                                Long.parseLong(r.get(2)),
                                Long.parseLong(r.get(3)),
                                Long.parseLong(r.get(4)),
                                Long.parseLong(r.get(5))))));
  }

  /**
   * Holds ({@code delta > 0}) or releases units of a SKU for a cart. Retrying with the same op id
   * applies it once.
   *
   * <p>Fails with a {@link CartException}: UNKNOWN_SKU, or OUT_OF_STOCK with {@code available}.
   */
  public Future<HoldResult> adjustHold(
      String sku, String cartId, int delta, long expiresAtMillis, String opId) {
    return adjustHold(sku, cartId, delta, HoldLimit.cart(Integer.MAX_VALUE), expiresAtMillis, opId);
  }

  /**
   * As {@link #adjustHold(String, String, int, long, String)}, holding no more than the limit
   * allows (the rest of an add is accepted but not held).
   */
  public Future<HoldResult> adjustHold(
      String sku, String cartId, int delta, HoldLimit limit, long expiresAtMillis, String opId) {
    List<String> keys =
        new ArrayList<>(
            List.of(
                RedisKeys.sku(sku),
                RedisKeys.skuHolds(sku),
                RedisKeys.skuHoldMarker(sku, cartId),
                RedisKeys.skuExpiry(sku),
                RedisKeys.skuOp(sku, opId)));
    List<Object> args =
        new ArrayList<>(List.of(cartId, delta, expiresAtMillis, clock.millis(), limit.perCart()));
    if (limit.countsClient()) {
      keys.add(RedisKeys.skuClientHolds(sku, limit.client()));
      args.add(limit.perClient());
    }
    return Scripts.HOLD_ADJUST
        .call(redis, keys, args)
        .compose(
            reply ->
                switch (reply.get(0).toString()) {
                  case "ok" -> {
                    if (reply.get(4).toInteger() > 0) {
                      placed.increment(reply.get(4).toInteger());
                    }
                    yield Future.succeededFuture(
                        new HoldResult(
                            new Price(reply.get(1).toLong(), reply.get(2).toString()),
                            reply.get(3).toInteger(),
                            reply.get(4).toInteger()));
                  }
                  case "unknown_sku" ->
                      catalog
                          .confirmUnknown(sku)
                          .compose(
                              unknown ->
                                  Future.failedFuture(
                                      new CartException(
                                          Reason.UNKNOWN_SKU, "SKU " + sku + " is not sold here")));
                  case "out_of_stock" ->
                      Future.failedFuture(
                          new CartException(
                              Reason.OUT_OF_STOCK,
                              "only " + reply.get(1).toLong() + " of " + sku + " available",
                              new JsonObject()
                                  .put("sku", sku)
                                  .put("available", reply.get(1).toLong())));
                  default -> Future.failedFuture(unexpected(reply));
                });
  }

  /**
   * Turns units of a cart's live hold into a sale; a negative count undoes such a sale back into
   * the hold. Retrying with the same op id applies it once.
   *
   * @return true when sold, false when the cart holds fewer units (nothing applied)
   */
  public Future<Boolean> sell(
      String sku, String cartId, int units, long expiresAtMillis, String opId) {
    return Scripts.HOLD_SELL
        .call(
            redis,
            List.of(
                RedisKeys.sku(sku),
                RedisKeys.skuHolds(sku),
                RedisKeys.skuHoldMarker(sku, cartId),
                RedisKeys.skuExpiry(sku),
                RedisKeys.skuOp(sku, opId)),
            List.of(cartId, units, expiresAtMillis, clock.millis()))
        .map(reply -> reply.get(0).toString().equals("ok"));
  }

  /** The catalog's prices now, read from Redis (never from the cache): checkout reprices here. */
  public Future<Map<String, Optional<Price>>> authoritativePrices(Collection<String> skus) {
    List<String> names = List.copyOf(skus);
    List<Future<List<String>>> replies = names.stream().map(this::priceFields).toList();
    return Future.all(replies)
        .map(
            all -> {
              Map<String, Optional<Price>> read = new HashMap<>();
              for (int i = 0; i < names.size(); i++) {
                read.put(names.get(i), price(all.resultAt(i)));
              }
              return read;
            });
  }

  /**
   * Current prices of the given SKUs, from the cache where it has them, else in one batch, with the
   * stamp that says how long the same call would give the same prices.
   */
  public Future<PriceCache.Prices> currentPrices(Collection<String> skus) {
    PriceCache.Lookup lookup = prices.lookup(skus);
    List<String> missing = lookup.missing();
    if (missing.isEmpty()) {
      return Future.succeededFuture(new PriceCache.Prices(lookup.found(), lookup.stamp()));
    }
    // One command per SKU (each on its own slot); the client pipelines them on its connections.
    List<Future<List<String>>> replies = missing.stream().map(this::priceFields).toList();
    return Future.all(replies)
        .map(
            all -> {
              Map<String, Optional<Price>> loaded = new HashMap<>();
              for (int i = 0; i < missing.size(); i++) {
                loaded.put(missing.get(i), price(all.resultAt(i)));
              }
              PriceCache.Stamp stamp = prices.keep(loaded, lookup.stamp());
              Map<String, Optional<Price>> found = lookup.found();
              found.putAll(loaded);
              return new PriceCache.Prices(found, stamp);
            });
  }

  /** Whether {@link #currentPrices} would give the same prices now as when it gave this stamp. */
  public boolean pricesUnchanged(PriceCache.Stamp stamp) {
    return prices.unchanged(stamp);
  }

  private Future<List<String>> priceFields(String sku) {
    return SkuRecords.fields(redis, sku, SkuRecords.PRICE, SkuRecords.CURRENCY);
  }

  private static Optional<Price> price(List<String> fields) {
    return fields.get(0) == null
        ? Optional.empty()
        : Optional.of(new Price(Long.parseLong(fields.get(0)), fields.get(1)));
  }

  private static IllegalStateException unexpected(ScriptReply reply) {
    return new IllegalStateException("unexpected script reply " + reply);
  }
}
