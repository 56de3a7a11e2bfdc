package com.cartgateway.reconcile;

import com.cartgateway.cart.CartJournal;
import com.cartgateway.cart.CartStore;
import com.cartgateway.identity.Owner;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.Scripts;
import com.cartgateway.store.SkuRecords;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Returns lapsed holds to stock: first on the SKU's slot (the units), then on the cart's slot (the
 * line's reservation, with a version bump). Both steps are idempotent, so a notification and a
 * sweep may both handle the same hold.
 */
public final class HoldReaper {
  private static final int PAGE = 500;
  // A few SKUs at a time: the sweep is the backstop, and must not queue a whole page of commands
  // (and the lapses they find) on the Redis pool ahead of the expiry notifications and requests.
  private static final int LANES = 4;

  /** How a lapse was found, for metrics. */
  public enum Source {
    /** A key expiry notification. */
    NOTIFICATION,
    /** The periodic sweep of the expiry index. */
    SWEEP
  }

  private final RedisGateway redis;
  private final CartStore carts;
  private final CartJournal journal;
  private final Clock clock;
  private final Counter byNotification;
  private final Counter bySweep;

  /**
   * @param redis the verticle's Redis client
   * @param journal what publishes the carts that a lapse changed
   * @param registry where released units are counted
   * @param clock the time source
   */
  public HoldReaper(RedisGateway redis, CartJournal journal, MeterRegistry registry, Clock clock) {
    this.redis = redis;
    this.carts = new CartStore(redis);
    this.journal = journal;
    this.clock = clock;
    this.byNotification = released(registry, "notification");
    this.bySweep = released(registry, "sweep");
  }

  private static Counter released(MeterRegistry registry, String source) {
    return Counter.builder("cart_holds_lapsed_units")
        .description("Units returned to stock because their soft hold lapsed")
        .tag("source", source)
        .register(registry);
  }

  /** Handles one expired key; keys other than hold markers are ignored. */
  public Future<Integer> expired(String key) {
    String[] hold = RedisKeys.parseHoldMarker(key);
    return hold == null ? Future.succeededFuture(0) : lapse(hold[0], hold[1], Source.NOTIFICATION);
  }

  /** Returns one cart's lapsed hold on one SKU, if it has lapsed. */
  public Future<Integer> lapse(String sku, String cartId, Source source) {
    return Scripts.HOLD_LAPSE
        .call(
            redis,
            List.of(
                RedisKeys.sku(sku),
                RedisKeys.skuHolds(sku),
                RedisKeys.skuHoldMarker(sku, cartId),
                RedisKeys.skuExpiry(sku)),
            List.of(cartId))
        // counted once the units are back in stock, whatever becomes of the cart's own update
        .onSuccess(
            units ->
                (source == Source.SWEEP ? bySweep : byNotification).increment(units.toInteger()))
        .compose(
            units ->
                journal
                    .recordAll(
                        List.of(cartId),
                        () ->
                            Scripts.CART_LAPSE.call(
                                redis,
                                List.of(RedisKeys.cart(cartId)),
                                List.of(sku, clock.millis())),
                        // a lapse changes the cart's version and holds: the log gets it too
                        changed ->
                            changed.toInteger() == 1
                                ? carts.read(Owner.ofCartId(cartId)).map(List::of)
                                : Future.succeededFuture(List.of()))
                    .map(ignored -> units.toInteger()));
  }

  /** Sweeps every SKU's expiry index once; returns the units returned. */
  public Future<Integer> sweep() {
    return sweepFrom("0", 0);
  }

  private Future<Integer> sweepFrom(String cursor, int total) {
    return SkuRecords.indexPage(redis, cursor, PAGE)
        .compose(
            page -> {
              Iterator<String> skus = page.skus().iterator();
              List<Future<Integer>> lanes = new ArrayList<>();
              for (int i = 0; i < LANES; i++) {
                lanes.add(sweepLane(skus, 0));
              }
              return Future.all(lanes)
                  .compose(
                      done -> {
                        int sum = total;
                        for (int i = 0; i < lanes.size(); i++) {
                          sum += done.<Integer>resultAt(i);
                        }
                        String next = page.next();
                        return next.equals("0")
                            ? Future.succeededFuture(sum)
                            : sweepFrom(next, sum);
                      });
            });
  }

  /** Sweeps SKUs one after another until the page (shared by the lanes) runs out. */
  private Future<Integer> sweepLane(Iterator<String> skus, int sum) {
    if (!skus.hasNext()) {
      return Future.succeededFuture(sum);
    }
    return sweepSku(skus.next()).compose(n -> sweepLane(skus, sum + n));
  }

  private Future<Integer> sweepSku(String sku) {
    return SkuRecords.holdsDue(redis, sku, clock.millis(), PAGE)
        .compose(
            due -> {
              Future<Integer> chain = Future.succeededFuture(0);
              for (String cartId : due) {
                chain = chain.compose(sum -> lapse(sku, cartId, Source.SWEEP).map(n -> sum + n));
              }
              return chain;
            });
  }
}
