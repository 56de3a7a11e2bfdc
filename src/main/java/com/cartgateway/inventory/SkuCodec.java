package com.cartgateway.inventory;

import com.cartgateway.durability.JournalCodec;
import com.cartgateway.events.SkuState;
import com.cartgateway.events.Topics;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.SkuRecords;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * How the journal keeps SKUs: marks in {@code catalog:unpublished} (catalog changes are few, so one
 * key), the durable part of the SKU's hash on {@code catalog.events} keyed by SKU.
 */
final class SkuCodec implements JournalCodec<SkuState> {
  private final RedisGateway redis;

  /**
   * @param redis the verticle's Redis client
   */
  SkuCodec(RedisGateway redis) {
    this.redis = redis;
  }

  @Override
  public String topic() {
    return Topics.CATALOG_EVENTS;
  }

  @Override
  public String kind() {
    return "SKUs";
  }

  @Override
  public String marksOf(String sku) {
    return RedisKeys.CATALOG_UNPUBLISHED;
  }

  @Override
  public List<String> markSets() {
    return List.of(RedisKeys.CATALOG_UNPUBLISHED);
  }

  /** The SKU's durable state as Redis has it; empty when Redis lacks the SKU. */
  @Override
  public Future<Optional<SkuState>> read(String sku) {
    return SkuRecords.fields(
            redis,
            sku,
            SkuRecords.PRICE,
            SkuRecords.CURRENCY,
            SkuRecords.STOCK,
            SkuRecords.SOLD,
            SkuRecords.VERSION,
            SkuRecords.UPDATED_AT)
        .map(
            r ->
                r.get(0) == null
                    ? Optional.empty()
                    : Optional.of(
                        new SkuState(
                            sku,
                            r.get(4) == null ? 0 : Long.parseLong(r.get(4)),
                            Long.parseLong(r.get(0)),
                            r.get(1),
                            Long.parseLong(r.get(2)),
                            Long.parseLong(r.get(3)),
                            r.get(5) == null ? 0 : Long.parseLong(r.get(5)))));
  }

  @Override
  public String key(SkuState state) {
    return state.sku();
  }

  @Override
  public JsonObject encode(SkuState state) {
    return state.toJson();
  }
}
