package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.commerce.CartException.Reason;
import com.cartgateway.identity.Owner;
import com.cartgateway.store.CartRecords;
import com.cartgateway.store.Lease;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.Scripts;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A checkout's steps on the cart's slot: the short lease that makes concurrent checkouts of a cart
 * one order, the emptying of the cart for an order, and the orders a cart placed.
 */
final class CheckoutStore {
  private static final Duration LEASE = Duration.ofSeconds(30);

  private final RedisGateway redis;

  /**
   * @param redis the verticle's Redis client
   */
  CheckoutStore(RedisGateway redis) {
    this.redis = redis;
  }

  /**
   * Runs {@code work} under the cart's checkout lease, held as {@code orderId}, and gives the lease
   * back after it; refuses as in progress while another checkout holds it.
   */
  <T> Future<T> leased(String cartId, String orderId, Supplier<Future<T>> work) {
    String lease = RedisKeys.cartCheckoutLease(cartId);
    return Lease.take(redis, lease, orderId, LEASE)
        .compose(
            taken -> {
              if (!taken) {
                return Future.failedFuture(
                    new CartException(
                        Reason.IN_PROGRESS, "another checkout of this cart is in progress"));
              }
              return work.get()
                  .eventually(
                      () -> Scripts.LEASE_RELEASE.call(redis, List.of(lease), List.of(orderId)));
            });
  }

  /** What {@link #checkout} found. */
  sealed interface CheckoutOutcome {
    /** Committed now: the cart is empty. */
    record Committed(Cart cart) implements CheckoutOutcome {}

    /** The cart changed since the order was computed; nothing applied. */
    record Moved(long version) implements CheckoutOutcome {}

    /** This order was committed before (a retry); its stored JSON. */
    record AlreadyPlaced(String order) implements CheckoutOutcome {}
  }

  /** Empties the cart for an order, if the cart is still at the version the order came from. */
  Future<CheckoutOutcome> checkout(
      Owner owner, long version, String orderId, String orderJson, long now) {
    String cartId = owner.cartId();
    return Scripts.CART_CHECKOUT
        .call(
            redis,
            List.of(RedisKeys.cart(cartId), RedisKeys.cartOrder(cartId, orderId)),
            List.of(version, now, orderJson))
        .map(
            reply ->
                switch (reply.get(0).toString()) {
                  case "ok" -> new CheckoutOutcome.Committed(CartStore.cart(owner, reply.get(1)));
                  case "moved" -> new CheckoutOutcome.Moved(reply.get(1).toLong());
                  case "placed" -> new CheckoutOutcome.AlreadyPlaced(reply.get(1).toString());
                  default -> throw CartStore.unexpected(reply);
                });
  }

  /** The stored JSON of an order placed from this cart, if any. */
  Future<Optional<String>> order(Owner owner, String orderId) {
    return CartRecords.order(redis, owner.cartId(), orderId);
  }
}
