package com.cartgateway.inventory;

import com.cartgateway.durability.CatchUp;
import com.cartgateway.durability.Epoch;
import com.cartgateway.durability.Epochs;
import com.cartgateway.dynamo.DynamoCatalog;
import com.cartgateway.events.SkuState;
import com.cartgateway.store.Lease;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.Scripts;
import com.cartgateway.store.SkuRecords;
import com.cartgateway.store.StoreUnavailableException;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Brings the catalog back into a Redis shard that lost its data: every SKU's price, stock and sold
 * count from the catalog table, once the worker has stored every state acknowledged before the
 * loss.
 *
 * <p>It keys on the epoch of each shard ({@link Epochs}): once the publish window has passed since
 * a shard's epoch began, the end offsets of {@code catalog.events} are recorded in it ({@code
 * catalogEnds}); once the worker group has committed past them ({@link CatchUp}), one process
 * (holding a short lease in the shard) copies every SKU Redis lacks from the catalog table and
 * indexes every SKU again (the index may have been on that shard), and marks the epoch {@code
 * catalog=restored}. Until then a SKU of that shard missing from Redis may just not be back yet, so
 * whatever finds one answers 503 rather than 404 ({@link #confirmUnknown}); the SKUs of the other
 * shards are not held back. Holds are not restored here: they come back with their carts.
 */
public final class CatalogRebuilder {
  private static final Logger LOG = Logger.getLogger(CatalogRebuilder.class.getName());

  /** The epoch's field that holds the end offsets of {@code catalog.events}. */
  public static final String ENDS = "catalogEnds";

  private static final String LEASE = ":catalog-lease";
  private static final Duration LEASE_TIME = Duration.ofSeconds(60);

  private final RedisGateway redis;
  private final Epochs epochs;
  private final CatchUp catchUp;
  private final DynamoCatalog dynamo;
  private boolean running;

  /**
   * @param redis the verticle's Redis client
   * @param epochs the epochs of the Redis shards, as the HTTP role's watch last read them
   * @param catchUp how far the worker group has persisted {@code catalog.events} since an epoch
   *     began (its end offsets in field {@link #ENDS})
   * @param dynamo the durable catalog
   */
  public CatalogRebuilder(
      RedisGateway redis, Epochs epochs, CatchUp catchUp, DynamoCatalog dynamo) {
    this.redis = redis;
    this.epochs = epochs;
    this.catchUp = catchUp;
    this.dynamo = dynamo;
  }

  /**
   * Moves the restore of each shard's epoch on by one step, if there is one to take; called every
   * second by each HTTP verticle, one step at a time.
   */
  public Future<Void> tick() {
    if (running) {
      return Future.succeededFuture();
    }
    running = true;
    Future<Void> steps = Future.succeededFuture();
    for (Epoch epoch : epochs.all()) {
      steps = steps.compose(done -> step(epoch));
    }
    return steps.onComplete(done -> running = false);
  }

  /**
   * Succeeds when a SKU that Redis lacks is truly not in the catalog; fails as unavailable while
   * the catalog of its shard's epoch is not restored yet.
   */
  public Future<Void> confirmUnknown(String sku) {
    return epochs
        .of(RedisKeys.sku(sku))
        .compose(Epoch::catalogRestored)
        .compose(
            restored ->
                restored
                    ? Future.<Void>succeededFuture()
                    : Future.failedFuture(
                        new StoreUnavailableException(
                            "catalog",
                            new IllegalStateException("the catalog is not restored yet"))));
  }

  private Future<Void> step(Epoch epoch) {
    return epoch
        .fields()
        .compose(
            fields -> {
              if (Epoch.catalogDone(fields)
                  || !Epoch.started(fields)
                  || epoch.inPublishWindow(fields)) {
                return Future.succeededFuture();
              }
              return catchUp
                  .everyPartition(epoch, fields)
                  .compose(ready -> ready ? restoreOnce(epoch) : Future.succeededFuture());
            });
  }

  /** One process restores: the lease holder; the others find the epoch marked when it is done. */
  private Future<Void> restoreOnce(Epoch epoch) {
    String holder = UUID.randomUUID().toString();
    String lease = epoch.key() + LEASE;
    return Lease.take(redis, lease, holder, LEASE_TIME)
        .compose(
            leased -> {
              if (!leased) {
                return Future.succeededFuture();
              }
              return restorePage(null, 0)
                  .compose(
                      restored -> {
                        LOG.log(
                            Level.INFO,
                            "catalog restored from DynamoDB after the Redis shard from slot {0}"
                                + " lost its data: {1} SKUs",
                            new Object[] {String.valueOf(epoch.firstSlot()), restored});
                        return epoch.markCatalogRestored();
                      })
                  .eventually(() -> Lease.drop(redis, lease))
                  .mapEmpty();
            });
  }

  private Future<Integer> restorePage(Map<String, AttributeValue> from, int restored) {
    return dynamo
        .scan(from)
        .compose(
            page -> {
              Future<Integer> chain = Future.succeededFuture(restored);
              for (SkuState state : page.states()) {
                chain = chain.compose(n -> restore(state).map(done -> n + (done ? 1 : 0)));
              }
              return page.next() == null ? chain : chain.compose(n -> restorePage(page.next(), n));
            });
  }

  private Future<Boolean> restore(SkuState state) {
    return Scripts.SKU_RESTORE
        .call(
            redis,
            List.of(RedisKeys.sku(state.sku())),
            List.of(
                state.sku(),
                state.price(),
                state.currency(),
                state.stock(),
                state.sold(),
                state.version(),
                state.updatedAt()))
        .compose(restored -> SkuRecords.index(redis, state.sku()).map(restored.toInteger() == 1));
  }
}
