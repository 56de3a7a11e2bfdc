package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.identity.Owner;
import com.cartgateway.inventory.InventoryStore;
import com.cartgateway.store.TokenBucket;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The steps every line write shares: its first round trip on the cart's slot, and giving holds back
 * on the SKUs' slots once the cart changed or refused.
 */
final class WriteSteps {
  private static final Logger LOG = Logger.getLogger(WriteSteps.class.getName());

  private final CartStore carts;
  private final InventoryStore inventory;
  private final CartRebuilder rebuilder;
  private final Duration holdTtl;

  /**
   * @param carts the cart store
   * @param inventory the stock store
   * @param rebuilder what brings back a cart Redis lacks
   * @param holdTtl how long a hold lasts after its line's last change
   */
  WriteSteps(CartStore carts, InventoryStore inventory, CartRebuilder rebuilder, Duration holdTtl) {
    this.carts = carts;
    this.inventory = inventory;
    this.rebuilder = rebuilder;
    this.holdTtl = holdTtl;
  }

  /**
   * A write's first round trip on the cart's slot: its token, and the cart as stored, brought back
   * first if Redis lacked it (version 0: a cart never written).
   */
  Supplier<Future<Cart>> begin(Owner owner, TokenBucket bucket) {
    return () ->
        carts
            .begin(owner, bucket)
            .compose(
                begun ->
                    begun.cart().isPresent()
                        ? Future.succeededFuture(begun.cart().get())
                        : rebuilder.bringBack(owner.cartId()).compose(back -> carts.read(owner)));
  }

  /** Gives back what a removal released, then completes with the cart after it. */
  Future<Cart> releaseAll(Owner owner, CartWrites.Removal removal, long now) {
    String op = UUID.randomUUID().toString();
    List<Future<?>> releases = new ArrayList<>();
    for (Map.Entry<String, Integer> held : removal.released().entrySet()) {
      if (held.getValue() > 0) {
        releases.add(
            release(held.getKey(), owner.cartId(), held.getValue(), now + holdTtl.toMillis(), op));
      }
    }
    return Future.join(releases).transform(ignored -> Future.succeededFuture(removal.cart()));
  }

  /**
   * Gives units back after the cart changed. The change is already applied, so a failure here is
   * logged, not reported: the hold lapses with its TTL.
   */
  Future<Void> release(String sku, String cartId, int units, long expiresAt, String op) {
    return inventory
        .adjustHold(sku, cartId, -units, expiresAt, op + ":" + sku)
        .<Void>mapEmpty()
        .recover(
            e -> {
              LOG.log(Level.WARNING, "release of " + sku + " for " + cartId + " left to TTL", e);
              return Future.succeededFuture();
            });
  }

  /**
   * When the cart refused a change (a rule, not an outage), the units held for it go back at once.
   * After an outage nobody knows whether the cart changed, so the hold is left to its TTL.
   */
  <T> Future<T> giveBackIfRefused(
      Throwable refused, String sku, String cartId, int units, long expiresAt, String op) {
    if (!(refused instanceof CartException) || units == 0) {
      return Future.failedFuture(refused);
    }
    return inventory
        .adjustHold(sku, cartId, -units, expiresAt, op)
        .transform(ignored -> Future.failedFuture(refused));
  }
}
