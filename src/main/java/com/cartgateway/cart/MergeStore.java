package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.store.CartRecords;
import com.cartgateway.store.Lease;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.Scripts;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A merge's steps in Redis, each on one slot: the guest cart's lease, the transfer of a SKU's hold
 * from the guest to the shopper, the write of the merged lines, and the guest cart's retirement.
 */
final class MergeStore {
  private static final Duration LEASE = Duration.ofSeconds(10);
  private static final long LEASE_POLL_MILLIS = 50;

  private final Vertx vertx;
  private final RedisGateway redis;

  /**
   * @param vertx for the lease's polling timer
   * @param redis the verticle's Redis client
   */
  MergeStore(Vertx vertx, RedisGateway redis) {
    this.vertx = vertx;
    this.redis = redis;
  }

  /**
   * Runs {@code work} under the guest cart's lease, waiting for it: concurrent merges of one guest
   * cart run one after the other. Gives the lease back after it.
   */
  <T> Future<T> leased(String guestId, Supplier<Future<T>> work) {
    String lease = RedisKeys.cartMergeLease(guestId);
    String token = UUID.randomUUID().toString();
    return acquire(lease, token, 0)
        .compose(
            ignored ->
                work.get()
                    .eventually(
                        () -> Scripts.LEASE_RELEASE.call(redis, List.of(lease), List.of(token))));
  }

  private Future<Void> acquire(String lease, String token, int tries) {
    return Lease.take(redis, lease, token, LEASE)
        .compose(
            taken -> {
              if (taken) {
                return Future.succeededFuture();
              }
              if (tries * LEASE_POLL_MILLIS > LEASE.toMillis()) {
                return Future.failedFuture(
                    new CartException(
                        CartException.Reason.IN_PROGRESS, "a merge of this guest cart is running"));
              }
              Promise<Void> later = Promise.promise();
              vertx.setTimer(
                  LEASE_POLL_MILLIS, id -> acquire(lease, token, tries + 1).onComplete(later));
              return later.future();
            });
  }

  /** The cart a guest cart was merged into, if it was. */
  Future<Optional<String>> mergedInto(String guestId) {
    return CartRecords.mergedInto(redis, guestId);
  }

  /**
   * Moves a SKU's holds from the guest to the shopper so that the shopper holds {@code target}
   * (surplus released, shortfall taken from stock where it allows); returns the units it holds.
   */
  Future<Integer> transfer(String sku, String guestId, String userId, int target, long expiresAt) {
    return Scripts.HOLD_TRANSFER
        .call(
            redis,
            List.of(
                RedisKeys.sku(sku),
                RedisKeys.skuHolds(sku),
                RedisKeys.skuHoldMarker(sku, guestId),
                RedisKeys.skuHoldMarker(sku, userId),
                RedisKeys.skuExpiry(sku)),
            List.of(guestId, userId, target, expiresAt))
        .map(reply -> reply.get(0).toInteger());
  }

  /**
   * Writes the merged lines into the shopper's cart if it is still at the version the plan read;
   * false when it moved (nothing applied).
   *
   * @param held the units each planned line holds after the transfers
   */
  Future<Boolean> write(
      Cart guestCart,
      Cart userCart,
      List<MergePlan.Line> plan,
      List<Integer> held,
      long now,
      long expiresAt) {
    List<Object> args =
        new ArrayList<>(List.of(userCart.version(), now, MergePlan.currency(guestCart, userCart)));
    for (int i = 0; i < plan.size(); i++) {
      MergePlan.Line p = plan.get(i);
      if (p.dropped()) {
        continue;
      }
      JsonObject variant = p.variant();
      args.addAll(
          List.of(
              p.guest().sku(),
              p.quantity(),
              p.price(),
              p.addedAt(),
              held.get(i),
              expiresAt,
              variant == null ? "" : variant.encode()));
    }
    String userId = userCart.owner().cartId();
    String guestId = guestCart.owner().cartId();
    return Scripts.CART_MERGE
        .call(
            redis,
            List.of(RedisKeys.cart(userId), RedisKeys.cartMergeRecord(userId, guestId)),
            args)
        .map(reply -> !reply.get(0).toString().equals("moved"));
  }

  /** Retires the guest cart, recording which cart it was merged into. */
  Future<Void> retire(String guestId, String userId, long now) {
    return Scripts.CART_RETIRE
        .call(
            redis,
            List.of(RedisKeys.cart(guestId), RedisKeys.cartMergedInto(guestId)),
            List.of(userId, now))
        .mapEmpty();
  }
}
