package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.commerce.CartLine;
import com.cartgateway.events.CartEvent;
import com.cartgateway.identity.Owner;
import com.cartgateway.inventory.HoldResult;
import com.cartgateway.inventory.InventoryStore;
import com.cartgateway.store.CartRecords;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.Scripts;
import io.vertx.core.CompositeFuture;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Restores one cart from its durable copy into Redis, with the holds of its lines taken again where
 * they have not lapsed. {@link CartRebuilder} decides when a restore may run.
 */
final class CartRestore {
  private final RedisGateway redis;
  private final InventoryStore inventory;
  private final Duration hotIdle;
  private final Clock clock;

  /**
   * @param redis the verticle's Redis client
   * @param inventory where a restored cart's live holds are taken again
   * @param hotIdle how long Redis keeps a cart after its last change
   * @param clock the wall clock, for the holds of a restored cart
   */
  CartRestore(RedisGateway redis, InventoryStore inventory, Duration hotIdle, Clock clock) {
    this.redis = redis;
    this.inventory = inventory;
    this.hotIdle = hotIdle;
    this.clock = clock;
  }

  /**
   * Restores a cart, holding again what its lines held where the hold has not lapsed and stock
   * allows (a line that cannot comes back unheld, as after a lapse). Holds first, on the SKUs'
   * slots, then the cart; a restore that loses to another one gives its holds back.
   */
  Future<Boolean> restore(CartEvent stored) {
    long now = clock.millis();
    String cartId = stored.cartId();
    String nonce = "restore:" + UUID.randomUUID() + ":";
    List<Future<Integer>> holds = new ArrayList<>();
    for (CartLine line : stored.lines()) {
      holds.add(
          line.held() > 0 && line.holdExpiresAt() > now
              ? inventory
                  .adjustHold(
                      line.sku(), cartId, line.held(), line.holdExpiresAt(), nonce + line.sku())
                  .map(HoldResult::applied)
                  .recover(
                      e ->
                          e instanceof CartException
                              ? Future.succeededFuture(0)
                              : Future.failedFuture(e))
              : Future.succeededFuture(0));
    }
    return Future.all(holds)
        .compose(
            held -> {
              List<Object> args = new ArrayList<>();
              args.add(stored.version());
              args.add(stored.updatedAt());
              args.add(stored.currency() == null ? "" : stored.currency());
              args.add(hotIdle.toMillis());
              for (int i = 0; i < stored.lines().size(); i++) {
                CartLine line = stored.lines().get(i);
                int units = held.resultAt(i);
                args.add(line.sku());
                args.add(line.quantity());
                args.add(line.unitPrice());
                args.add(line.addedAt());
                args.add(line.updatedAt());
                args.add(units);
                args.add(units > 0 ? line.holdExpiresAt() : 0);
                args.add(line.variant() == null ? "" : line.variant().encode());
              }
              return Scripts.CART_RESTORE
                  .call(redis, List.of(RedisKeys.cart(cartId)), args)
                  .compose(
                      restored ->
                          restored.toInteger() == 1
                              ? CartRecords.clearAbsent(redis, cartId).map(true)
                              : release(stored, held, nonce).map(false));
            });
    // A failure after some holds were taken leaves them to lapse with their TTL, as any hold.
  }

  private Future<Void> release(CartEvent stored, CompositeFuture held, String nonce) {
    List<Future<?>> released = new ArrayList<>();
    for (int i = 0; i < stored.lines().size(); i++) {
      int units = held.resultAt(i);
      if (units > 0) {
        CartLine line = stored.lines().get(i);
        released.add(
            inventory.adjustHold(
                line.sku(),
                stored.cartId(),
                -units,
                line.holdExpiresAt(),
                nonce + "undo:" + line.sku()));
      }
    }
    return Future.all(released).mapEmpty();
  }

  /** The cart a durable copy describes, as restoring it would leave it: nothing held. */
  static Cart toCart(Owner owner, CartEvent stored) {
    List<CartLine> lines = new ArrayList<>(stored.lines().size());
    for (CartLine line : stored.lines()) {
      lines.add(
          new CartLine(
              line.sku(),
              line.quantity(),
              line.unitPrice(),
              line.addedAt(),
              line.updatedAt(),
              0,
              0,
              line.variant()));
    }
    return new Cart(
        owner,
        stored.version(),
        lines.isEmpty() ? null : stored.currency(),
        List.copyOf(lines),
        stored.updatedAt(),
        stored.updatedAt(),
        0);
  }
}
