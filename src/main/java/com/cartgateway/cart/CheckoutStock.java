package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.commerce.CartLine;
import com.cartgateway.inventory.InventoryStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;

/**
 * A checkout's steps on the SKUs' slots: every line's hold topped up to its quantity, the holds
 * turned into sales, and each step undone when a later one fails. Operation ids derive from the
 * checkout's nonce, so each step applies once.
 */
final class CheckoutStock {
  private final InventoryStore inventory;

  /**
   * @param inventory the stock store
   */
  CheckoutStock(InventoryStore inventory) {
    this.inventory = inventory;
  }

  /**
   * Tops up the hold of every line to its quantity; when stock cannot cover a line, gives back what
   * it topped up and fails with {@link Orders#outOfStock} of the short lines.
   */
  Future<Void> topUp(Cart cart, String cartId, long now, long expiresAt, String nonce) {
    List<Future<Integer>> topUps = new ArrayList<>();
    for (CartLine line : cart.lines()) {
      int delta = line.quantity() - (line.heldAt(now) ? line.held() : 0);
      // A zero delta still renews the hold until the sale, a moment from now.
      topUps.add(
          inventory
              .adjustHold(
                  line.sku(), cartId, Math.max(delta, 0), expiresAt, nonce + ":top:" + line.sku())
              .map(hold -> hold.applied()));
    }
    return Future.join(topUps)
        .transform(
            joined -> {
              JsonArray short_ = new JsonArray();
              for (int i = 0; i < topUps.size(); i++) {
                if (topUps.get(i).failed()) {
                  Throwable cause = topUps.get(i).cause();
                  if (!(cause instanceof CartException e)) {
                    return undoTopUps(cart, topUps, cartId, expiresAt, nonce)
                        .compose(ignored -> Future.failedFuture(cause));
                  }
                  short_.add(
                      Orders.shortLine(cart.lines().get(i), e.extras().getLong("available", 0L)));
                }
              }
              if (!short_.isEmpty()) {
                return undoTopUps(cart, topUps, cartId, expiresAt, nonce)
                    .compose(ignored -> Future.failedFuture(Orders.outOfStock(short_)));
              }
              return Future.succeededFuture();
            });
  }

  /** Sells every line; when one line is short, undoes the sales made and reports false. */
  Future<Boolean> sell(Cart cart, String cartId, long expiresAt, String nonce) {
    List<Future<Boolean>> sales = new ArrayList<>();
    for (CartLine line : cart.lines()) {
      sales.add(
          inventory.sell(
              line.sku(), cartId, line.quantity(), expiresAt, nonce + ":sell:" + line.sku()));
    }
    return Future.join(sales)
        .transform(
            joined -> {
              boolean all = sales.stream().allMatch(f -> f.succeeded() && f.result());
              if (all) {
                return Future.succeededFuture(true);
              }
              return unsell(cart, sales, cartId, expiresAt, nonce)
                  .compose(
                      ignored ->
                          sales.stream().allMatch(Future::succeeded)
                              ? Future.succeededFuture(false)
                              : Future.failedFuture(
                                  sales.stream().filter(Future::failed).findFirst().get().cause()));
            });
  }

  /** Turns the sales of every line back into holds, after the cart refused the order. */
  Future<Void> unsellAll(Cart cart, String cartId, long expiresAt, String nonce) {
    List<Future<Boolean>> all =
        cart.lines().stream().map(l -> Future.succeededFuture(true)).toList();
    return unsell(cart, all, cartId, expiresAt, nonce);
  }

  private Future<Void> undoTopUps(
      Cart cart, List<Future<Integer>> topUps, String cartId, long expiresAt, String nonce) {
    List<Future<?>> undo = new ArrayList<>();
    for (int i = 0; i < topUps.size(); i++) {
      if (topUps.get(i).succeeded() && topUps.get(i).result() > 0) {
        String sku = cart.lines().get(i).sku();
        undo.add(
            inventory.adjustHold(
                sku, cartId, -topUps.get(i).result(), expiresAt, nonce + ":untop:" + sku));
      }
    }
    return Future.join(undo).mapEmpty();
  }

  private Future<Void> unsell(
      Cart cart, List<Future<Boolean>> sales, String cartId, long expiresAt, String nonce) {
    List<Future<?>> undo = new ArrayList<>();
    for (int i = 0; i < sales.size(); i++) {
      if (sales.get(i).succeeded() && sales.get(i).result()) {
        CartLine line = cart.lines().get(i);
        undo.add(
            inventory.sell(
                line.sku(), cartId, -line.quantity(), expiresAt, nonce + ":unsell:" + line.sku()));
      }
    }
    return Future.join(undo).mapEmpty();
  }
}
