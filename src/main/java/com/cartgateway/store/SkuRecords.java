package com.cartgateway.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads of SKU hashes ({@link RedisKeys#sku}) and their expiry indexes, and the catalog index
 * ({@link RedisKeys#CATALOG_INDEX}) of every SKU ever put. Scripts do every change of a SKU hash.
 */
public final class SkuRecords {
  /** Field of a SKU hash: the price in minor units. */
  public static final String PRICE = "price";

  /** Field of a SKU hash: the ISO 4217 currency of the price. */
  public static final String CURRENCY = "cur";

  /** Field of a SKU hash: units on hand when the stock was last set. */
  public static final String STOCK = "stock";

  /** Field of a SKU hash: units that may be held now. */
  public static final String AVAILABLE = "avail";

  /** Field of a SKU hash: units held by carts. */
  public static final String RESERVED = "res";

  /** Field of a SKU hash: units sold since the stock was last set. */
  public static final String SOLD = "sold";

  /** Field of a SKU hash: the version of its durable state. */
  public static final String VERSION = "ver";

  /** Field of a SKU hash: epoch millis of its last durable change. */
  public static final String UPDATED_AT = "upd";

  private SkuRecords() {}

  /**
   * Fields of one SKU's hash, in the order asked.
   *
   * @return a value per name, null where the hash has no such field (every one when no such SKU)
   */
  public static Future<List<String>> fields(RedisGateway redis, String sku, String... names) {
    Request request = Request.cmd(Command.HMGET).arg(RedisKeys.sku(sku));
    for (String name : names) {
      request.arg(name);
    }
    return redis
        .send(request)
        .map(
            reply -> {
              List<String> values = new ArrayList<>(reply.size());
              for (int i = 0; i < reply.size(); i++) {
                Response value = reply.get(i);
                values.add(value == null ? null : value.toString());
              }
              return values;
            });
  }

  /** Adds a SKU to the catalog index. */
  public static Future<Void> index(RedisGateway redis, String sku) {
    return redis.send(Request.cmd(Command.SADD).arg(RedisKeys.CATALOG_INDEX).arg(sku)).mapEmpty();
  }

  /** One page of the catalog index from {@code cursor} ("0" at first), of about {@code count}. */
  public static Future<IndexPage> indexPage(RedisGateway redis, String cursor, int count) {
    return redis
        .send(
            Request.cmd(Command.SSCAN)
                .arg(RedisKeys.CATALOG_INDEX)
                .arg(cursor)
                .arg("COUNT")
                .arg(count))
        .map(
            page -> {
              List<String> skus = new ArrayList<>();
              page.get(1).forEach(sku -> skus.add(sku.toString()));
              return new IndexPage(page.get(0).toString(), skus);
            });
  }

  /** Up to {@code limit} carts whose hold on a SKU lapses at or before {@code before}. */
  public static Future<List<String>> holdsDue(
      RedisGateway redis, String sku, long before, int limit) {
    return redis
        .send(SortedSets.due(RedisKeys.skuExpiry(sku), before, limit, false))
        .map(
            due -> {
              List<String> cartIds = new ArrayList<>(due.size());
              due.forEach(cart -> cartIds.add(cart.toString()));
              return cartIds;
            });
  }

  /**
   * One page of the catalog index.
   *
   * @param next the cursor of the next page, "0" after the last
   * @param skus the SKUs of this page
   */
  public record IndexPage(String next, List<String> skus) {}
}
