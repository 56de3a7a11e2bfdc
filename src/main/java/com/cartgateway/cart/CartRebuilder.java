package com.cartgateway.cart;

import com.cartgateway.durability.CatchUp;
import com.cartgateway.durability.Epoch;
import com.cartgateway.durability.Epochs;
import com.cartgateway.dynamo.DynamoCarts;
import com.cartgateway.events.CartEvent;
import com.cartgateway.identity.Owner;
import com.cartgateway.inventory.InventoryStore;
import com.cartgateway.store.CartRecords;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.StoreUnavailableException;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rebuilds a cart that Redis lacks from its durable copy in DynamoDB, but only from a caught-up
 * store (invariant 2): otherwise an acknowledged change still on its way through {@code
 * cart.events} would vanish with the next write.
 *
 * <p>When is DynamoDB caught up for a cart? Each Redis shard has an epoch ({@link Epochs}: a hash
 * in its first slot, lost with everything else when the shard loses its data); the first process to
 * find a shard without one (each HTTP verticle looks every second) starts it: the time it noticed.
 * Only the carts of that shard wait. A change that a script applied before the loss may still be on
 * its way to Kafka for a while (the publish window: a Redis read, then at most the producer's
 * blocking time and its delivery timeout), so nothing is rebuilt until that window has passed since
 * the epoch began; then the first process to look records the end offsets of {@code cart.events}.
 * Every event acknowledged before Redis lost a cart lies below them, so once the worker group has
 * committed past them on the cart's partition, DynamoDB has the cart's last acknowledged state.
 * Carts come back after the catalog ({@code CatalogRebuilder}), so that a restored line whose hold
 * has not lapsed can take it again. Until then a write gets 503 with {@code Retry-After}; a read
 * serves DynamoDB's copy, unheld, without keeping it. Carts that leave Redis by the hot-set idle
 * time ({@code CART_HOT_IDLE_SECONDS}) left it long after their last event, which the worker has
 * persisted unless it lags by more than that time (the lag is on {@code /health/ready} and in the
 * metrics).
 *
 * <p>A cart DynamoDB has never seen is simply new. Reads remember that for a minute, so browsing
 * with an empty cart does not cost a DynamoDB read per page.
 */
public final class CartRebuilder {
  private static final Duration ABSENT = Duration.ofSeconds(60);

  /** The epoch's field that holds the end offsets of {@code cart.events}. */
  public static final String ENDS = "ends";

  private final RedisGateway redis;
  private final DynamoCarts dynamo;
  private final CartStore carts;
  private final CartRestore restorer;
  private final Epochs epochs;
  private final CatchUp catchUp;

  /**
   * @param redis the verticle's Redis client
   * @param inventory where a restored cart's live holds are taken again
   * @param dynamo the durable copy of carts
   * @param epochs the epochs of the Redis shards
   * @param catchUp how far the worker group has persisted {@code cart.events} since an epoch began
   *     (its end offsets in field {@link #ENDS})
   * @param hotIdle how long Redis keeps a cart after its last change
   * @param clock the wall clock, for the holds of a restored cart
   */
  public CartRebuilder(
      RedisGateway redis,
      InventoryStore inventory,
      DynamoCarts dynamo,
      Epochs epochs,
      CatchUp catchUp,
      Duration hotIdle,
      Clock clock) {
    this.redis = redis;
    this.carts = new CartStore(redis);
    this.restorer = new CartRestore(redis, inventory, hotIdle, clock);
    this.dynamo = dynamo;
    this.epochs = epochs;
    this.catchUp = catchUp;
  }

  /** Makes sure Redis has each cart before a write changes it: restored, or known to be new. */
  public Future<Void> beforeWrite(List<String> cartIds) {
    List<Future<?>> all = new ArrayList<>(cartIds.size());
    for (String cartId : cartIds) {
      all.add(beforeWrite(cartId));
    }
    return Future.all(all).mapEmpty();
  }

  private Future<Void> beforeWrite(String cartId) {
    return CartRecords.exists(redis, cartId)
        .compose(exists -> exists ? Future.succeededFuture() : bringBack(cartId));
  }

  /**
   * Before a write of a cart Redis lacks: brings back DynamoDB's copy, if it has one, once DynamoDB
   * has every acknowledged event; fails as unavailable until then.
   */
  public Future<Void> bringBack(String cartId) {
    return caughtUp(cartId)
        .compose(
            ready ->
                ready
                    ? durable(cartId)
                    : Future.failedFuture(
                        new StoreUnavailableException(
                            "write-behind",
                            new IllegalStateException("DynamoDB is not caught up with " + cartId))))
        .compose(
            stored ->
                stored.isPresent()
                    ? restorer.restore(stored.get()).mapEmpty()
                    : Future.succeededFuture());
  }

  /**
   * Reads the slot map and starts an epoch in each shard that has none: called every second, so
   * that an epoch starts near a loss.
   */
  public Future<Void> watchEpochs() {
    return epochs
        .refresh()
        .compose(
            all -> {
              List<Future<?>> started = new ArrayList<>(all.size());
              for (Epoch epoch : all) {
                started.add(epoch.current());
              }
              return Future.all(started).mapEmpty();
            });
  }

  /**
   * Why a write of a cart Redis lacks would be refused now, shard by shard (for readiness): by the
   * first slot each shard's master serves, in their order, {@code publish_window} (its epoch began
   * less than the publish window ago), {@code catalog_restore} (the catalog is not back yet),
   * {@code write_behind_catch_up} (the worker group has not passed the epoch's end offsets on every
   * partition of {@code cart.events}), or empty when it would be taken. Fails before the slot map
   * is first read. Starts each epoch and records its end offsets once due, as such a write would.
   */
  public Future<Map<String, Optional<String>>> writesRefused() {
    List<Epoch> all = epochs.all();
    if (all.isEmpty()) {
      return Future.failedFuture(new IllegalStateException("the slot map is not read yet"));
    }
    List<Future<Optional<String>>> shards = new ArrayList<>(all.size());
    for (Epoch epoch : all) {
      shards.add(refused(epoch));
    }
    return Future.all(shards)
        .map(
            done -> {
              Map<String, Optional<String>> refused = new LinkedHashMap<>();
              for (int i = 0; i < all.size(); i++) {
                refused.put(Integer.toString(all.get(i).firstSlot()), shards.get(i).result());
              }
              return refused;
            });
  }

  private Future<Optional<String>> refused(Epoch epoch) {
    return epoch
        .current()
        .compose(
            fields -> {
              Optional<String> waiting = waiting(epoch, fields);
              if (waiting.isPresent()) {
                return Future.succeededFuture(waiting);
              }
              return catchUp
                  .everyPartition(epoch, fields)
                  .map(
                      passed ->
                          passed ? Optional.<String>empty() : Optional.of("write_behind_catch_up"));
            });
  }

  /**
   * Why writes wait whatever the worker group did: {@code publish_window} or {@code
   * catalog_restore} (carts after the catalog: a restored cart takes its live holds again).
   */
  private static Optional<String> waiting(Epoch epoch, Map<String, String> fields) {
    if (epoch.inPublishWindow(fields)) {
      return Optional.of("publish_window");
    }
    return Epoch.catalogRestored(fields) ? Optional.empty() : Optional.of("catalog_restore");
  }

  /**
   * What to show for a cart Redis lacks: DynamoDB's copy (restored into Redis when DynamoDB is
   * caught up), else the empty cart. Until DynamoDB is caught up, its copy (or its lack of one) is
   * a stale read: unheld, not kept, possibly behind an acknowledged change.
   *
   * @param missing the cart as Redis read it, version 0
   */
  public Future<CartRead> onReadMiss(Cart missing) {
    String cartId = missing.owner().cartId();
    return CartRecords.notedAbsent(redis, cartId)
        .compose(
            absent ->
                absent
                    ? Future.succeededFuture(new CartRead(missing, false))
                    : durable(cartId)
                        .compose(
                            stored -> {
                              if (stored.isEmpty()) {
                                // noted only from a caught-up store: else it may just be behind
                                return caughtUp(cartId)
                                    .compose(
                                        ready ->
                                            ready
                                                ? CartRecords.noteAbsent(redis, cartId, ABSENT)
                                                    .map(new CartRead(missing, false))
                                                : Future.succeededFuture(
                                                    new CartRead(missing, true)));
                              }
                              Cart cart = CartRestore.toCart(missing.owner(), stored.get());
                              return caughtUp(cartId)
                                  .compose(
                                      ready ->
                                          ready
                                              // as restored, with the holds it took again
                                              ? restorer
                                                  .restore(stored.get())
                                                  .compose(restored -> carts.read(missing.owner()))
                                                  .map(restored -> new CartRead(restored, false))
                                              : Future.succeededFuture(new CartRead(cart, true)));
                            }));
  }

  /**
   * DynamoDB's copy of a cart for a read while Redis is down, read-only: nothing is restored or
   * noted in Redis (the rebuild waits for a Redis that answers and a caught-up store). A cart
   * DynamoDB lacks is the empty cart.
   */
  public Future<Cart> durableCopy(Owner owner) {
    return durable(owner.cartId())
        .map(
            stored ->
                stored.map(s -> CartRestore.toCart(owner, s)).orElseGet(() -> Cart.empty(owner)));
  }

  /** Whether DynamoDB has every acknowledged event of the cart. */
  private Future<Boolean> caughtUp(String cartId) {
    return epochs
        .of(RedisKeys.cart(cartId))
        .compose(
            epoch ->
                epoch
                    .current()
                    .compose(
                        fields ->
                            waiting(epoch, fields).isPresent()
                                ? Future.succeededFuture(false)
                                : catchUp.partitionOf(epoch, fields, cartId)));
  }

  private Future<Optional<CartEvent>> durable(String cartId) {
    return dynamo
        .read(cartId)
        .recover(e -> Future.failedFuture(new StoreUnavailableException("dynamodb", e)));
  }
}
