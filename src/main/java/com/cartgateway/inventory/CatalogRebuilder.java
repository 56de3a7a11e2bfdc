package com.cartgateway.inventory;

import com.cartgateway.durability.CatchUp;
import com.cartgateway.durability.Epoch;
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
 * Brings the catalog back into a Redis that lost its data: every SKU's price, stock and sold count
 * from the catalog table, once the worker has stored every state acknowledged before the loss.
 *
 * <p>It keys on the epoch of the Redis data ({@link Epoch}): once the publish window has passed
 * since the epoch began, the end offsets of {@code catalog.events} are recorded ({@code
 * catalogEnds}); once the worker group has committed past them ({@link CatchUp}), one process
 * (holding a short lease) copies every SKU Redis lacks from the catalog table, and marks the epoch
 * {@code catalog=restored}. Until then a SKU missing from Redis may just not be back yet, so
 * whatever finds one answers 503 rather than 404 ({@link #confirmUnknown}). Holds are not restored
 * here: they come back with their carts.
 */
public final class CatalogRebuilder {
  private static final Logger LOG = Logger.getLogger(CatalogRebuilder.class.getName());

  /** The epoch's field that holds the end offsets of {@code catalog.events}. */
  public static final String ENDS = "catalogEnds";

  private static final String LEASE = RedisKeys.EPOCH + ":catalog-lease";
  private static final Duration LEASE_TIME = Duration.ofSeconds(60);

  private final RedisGateway redis;
  private final Epoch epoch;
  private final CatchUp catchUp;
  private final DynamoCatalog dynamo;
  private boolean running;

  /**
   * @param redis the verticle's Redis client
   * @param epoch the epoch of the Redis data
   * @param catchUp how far the worker group has persisted {@code catalog.events} since the epoch
   *     (its end offsets in field {@link #ENDS})
   * @param dynamo the durable catalog
   */
  public CatalogRebuilder(RedisGateway redis, Epoch epoch, CatchUp catchUp, DynamoCatalog dynamo) {
    this.redis = redis;
    this.epoch = epoch;
    this.catchUp = catchUp;
    this.dynamo = dynamo;
  }

  /**
   * Moves the restore of this epoch on by one step, if there is one to take; called every second by
   * each HTTP verticle, one step at a time.
   */
  public Future<Void> tick() {
    if (running) {
      return Future.succeededFuture();
    }
    running = true;
    return step().onComplete(done -> running = false);
  }

  /**
   * Succeeds when a SKU that Redis lacks is truly not in the catalog; fails as unavailable while
   * the catalog of this epoch is not restored yet.
   */
  public Future<Void> confirmUnknown() {
    return epoch
        .catalogRestored()
        .compose(
            restored ->
                restored
                    ? Future.<Void>succeededFuture()
                    : Future.failedFuture(
                        new StoreUnavailableException(
                            "catalog",
                            new IllegalStateException("the catalog is not restored yet"))));
  }

  private Future<Void> step() {
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
                  .everyPartition(fields)
                  .compose(ready -> ready ? restoreOnce() : Future.succeededFuture());
            });
  }

  /** One process restores: the lease holder; the others find the epoch marked when it is done. */
  private Future<Void> restoreOnce() {
    String holder = UUID.randomUUID().toString();
    return Lease.take(redis, LEASE, holder, LEASE_TIME)
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
                            "catalog restored from DynamoDB after Redis lost its data: {0} SKUs",
                            restored);
                        return epoch.markCatalogRestored();
                      })
                  .eventually(() -> Lease.drop(redis, LEASE))
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
