package com.cartgateway.http;

import com.cartgateway.commerce.Money;
import com.cartgateway.identity.Identities;
import com.cartgateway.inventory.Catalog;
import com.cartgateway.inventory.InventoryStore;
import com.cartgateway.inventory.SkuEntry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;

/** The catalog routes: operators set price and stock; anyone reads a SKU's counters. */
final class CatalogHandlers {
  static final long MAX_STOCK = 1_000_000_000L;

  private final Catalog catalog;
  private final InventoryStore inventory;
  private final Identities identities;
  private final RateLimiter limiter;

  CatalogHandlers(
      Catalog catalog, InventoryStore inventory, Identities identities, RateLimiter limiter) {
    this.catalog = catalog;
    this.inventory = inventory;
    this.identities = identities;
    this.limiter = limiter;
  }

  void put(RoutingContext ctx) {
    identities
        .admin(ctx.request().getHeader("Authorization"))
        .compose(
            ok -> {
              String sku = Requests.sku(ctx.pathParam("sku"), "sku");
              JsonObject body = Requests.object(ctx, true);
              String currency = currency(body.getValue("currency"));
              long price = price(body.getValue("price"), currency);
              long stock = stock(body.getValue("stock"));
              return catalog.put(sku, price, currency, stock);
            })
        .compose(entry -> send(ctx, entry))
        .onFailure(ctx::fail);
  }

  void get(RoutingContext ctx) {
    String sku;
    try {
      sku = Requests.sku(ctx.pathParam("sku"), "sku");
    } catch (ApiError e) {
      ctx.fail(e);
      return;
    }
    limiter
        .take("ip:" + Requests.clientAddress(ctx), RateLimiter.Kind.READS)
        .compose(ignored -> inventory.get(sku))
        .compose(
            entry ->
                entry.isPresent()
                    ? send(ctx, entry.get())
                    : Future.failedFuture(
                        new ApiError(
                            ProblemType.UNKNOWN_SKU, "SKU " + sku + " is not sold here", null)))
        .onFailure(ctx::fail);
  }

  private static Future<Void> send(RoutingContext ctx, SkuEntry entry) {
    // Counters move with every add; a CDN may keep them a second, no longer.
    return ctx.response()
        .putHeader("Cache-Control", "max-age=1")
        .putHeader("Content-Type", "application/json")
        .end(entry.toJson().toBuffer());
  }

  private static String currency(Object value) {
    if (!(value instanceof String code) || Money.minorDigits(code).isEmpty()) {
      throw ApiError.invalid(
          "currency", "must be the ISO 4217 code of a currency in use, such as USD");
    }
    return code;
  }

  private static long price(Object value, String currency) {
    String text = value instanceof String s ? s : value instanceof Number n ? plain(n) : null;
    return Money.parse(text, currency)
        .orElseThrow(
            () ->
                ApiError.invalid(
                    "price",
                    "must be a non-negative decimal with the minor digits of "
                        + currency
                        + ", at most "
                        + Money.format(Money.MAX_PRICE, currency)));
  }

  /**
   * A JSON number as plain decimal text, or null when it is far too large or precise to be a price:
   * the plain text of {@code 1e999999999} would take a gigabyte.
   */
  private static String plain(Number number) {
    BigDecimal decimal = number instanceof BigDecimal d ? d : new BigDecimal(number.toString());
    // long: 1e2147483647 has a scale of -2147483647, and an int difference would wrap
    long integerDigits = (long) decimal.precision() - decimal.scale();
    return integerDigits > 15 || decimal.scale() > 6 ? null : decimal.toPlainString();
  }

  private static long stock(Object value) {
    if (!(value instanceof Integer || value instanceof Long)
        || ((Number) value).longValue() < 0
        || ((Number) value).longValue() > MAX_STOCK) {
      throw ApiError.invalid("stock", "must be an integer from 0 to " + MAX_STOCK);
    }
    return ((Number) value).longValue();
  }
}
