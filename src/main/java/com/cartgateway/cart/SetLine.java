package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.commerce.CartLine;
import com.cartgateway.identity.Owner;
import com.cartgateway.inventory.InventoryStore;
import com.cartgateway.store.TokenBucket;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

/**
 * A set of a line's quantity: more units are held before the cart changes, fewer are given back
 * after it; when a concurrent write moved the line in between, the set starts again on the new
 * line.
 */
final class SetLine {
  private static final int MAX_ATTEMPTS = 8;

  private final CartStore carts;
  private final CartWrites writes;
  private final InventoryStore inventory;
  private final CartStore.Limits limits;
  private final Duration holdTtl;
  private final Clock clock;
  private final CartActivity activity;
  private final CartJournal journal;
  private final WriteSteps steps;

  SetLine(
      CartStore carts,
      CartWrites writes,
      InventoryStore inventory,
      CartStore.Limits limits,
      Duration holdTtl,
      Clock clock,
      CartActivity activity,
      CartJournal journal,
      WriteSteps steps) {
    this.carts = carts;
    this.writes = writes;
    this.inventory = inventory;
    this.limits = limits;
    this.holdTtl = holdTtl;
    this.clock = clock;
    this.activity = activity;
    this.journal = journal;
    this.steps = steps;
  }

  /** {@link CartService#set}. */
  Future<Cart> set(Owner owner, TokenBucket bucket, String sku, int quantity, Long ifMatch) {
    return journal.record(
        owner,
        steps.begin(owner, bucket),
        before -> set(owner, before, sku, quantity, ifMatch, 1),
        cart -> cart,
        activity::changed);
  }

  private Future<Cart> set(
      Owner owner, Cart cart, String sku, int quantity, Long ifMatch, int attempt) {
    return cart.matching(ifMatch)
        .compose(matched -> setLine(owner, matched, sku, quantity, ifMatch, attempt));
  }

  private Future<Cart> setLine(
      Owner owner, Cart cart, String sku, int quantity, Long ifMatch, int attempt) {
    CartLine line = cart.line(sku);
    if (line == null) {
      return Future.failedFuture(CartWrites.lineNotFound(sku));
    }
    try {
      cart.subtotalWith(sku, quantity, line.unitPrice());
    } catch (CartException refused) {
      return Future.failedFuture(refused);
    }
    long now = clock.millis();
    long expiresAt = now + holdTtl.toMillis();
    String op = UUID.randomUUID().toString();
    // A lapsed hold counts as none: the script returns its units before applying.
    int delta = Math.min(quantity, limits.holdCap()) - (line.heldAt(now) ? line.held() : 0);
    Future<CartWrites.SetOutcome> outcome =
        delta > 0
            ? holdThenSet(owner, sku, quantity, line, delta, expiresAt, ifMatch, op, now)
            : setThenRelease(owner, sku, quantity, line, delta, expiresAt, ifMatch, op, now);
    return outcome.compose(
        result -> {
          if (result instanceof CartWrites.SetOutcome.Applied applied) {
            return Future.succeededFuture(applied.cart());
          }
          if (attempt >= MAX_ATTEMPTS) {
            return Future.failedFuture(new IllegalStateException("line " + sku + " kept moving"));
          }
          return carts
              .read(owner)
              .compose(moved -> set(owner, moved, sku, quantity, ifMatch, attempt + 1));
        });
  }

  private Future<CartWrites.SetOutcome> holdThenSet(
      Owner owner,
      String sku,
      int quantity,
      CartLine line,
      int delta,
      long expiresAt,
      Long ifMatch,
      String op,
      long now) {
    String cartId = owner.cartId();
    return inventory
        .adjustHold(sku, cartId, delta, limits.holdCap(), expiresAt, op)
        .compose(
            hold ->
                writes
                    .set(
                        owner,
                        sku,
                        quantity,
                        line.quantity(),
                        hold.applied(),
                        expiresAt,
                        ifMatch,
                        op,
                        now)
                    .recover(
                        refused ->
                            steps.giveBackIfRefused(
                                refused, sku, cartId, hold.applied(), expiresAt, op + ":undo"))
                    .compose(
                        outcome ->
                            outcome instanceof CartWrites.SetOutcome.Moved
                                ? inventory
                                    .adjustHold(
                                        sku, cartId, -hold.applied(), expiresAt, op + ":undo")
                                    .map(outcome)
                                : Future.succeededFuture(outcome)));
  }

  private Future<CartWrites.SetOutcome> setThenRelease(
      Owner owner,
      String sku,
      int quantity,
      CartLine line,
      int delta,
      long expiresAt,
      Long ifMatch,
      String op,
      long now) {
    return writes
        .set(owner, sku, quantity, line.quantity(), delta, expiresAt, ifMatch, op, now)
        .compose(
            outcome -> {
              if (outcome instanceof CartWrites.SetOutcome.Applied) {
                // A zero delta still restarts the hold's clock: it lapses after the last change.
                return steps.release(sku, owner.cartId(), -delta, expiresAt, op).map(outcome);
              }
              return Future.succeededFuture(outcome);
            });
  }
}
