package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.commerce.CartLine;
import com.cartgateway.identity.Owner;
import com.cartgateway.inventory.HoldLimit;
import com.cartgateway.store.TokenBucket;
import io.vertx.core.Future;
import java.util.UUID;

/**
 * A set of a line's quantity: more units are held before the cart changes, fewer are given back
 * after it; when a concurrent write moved the line in between, the set starts again on the new
 * line.
 */
final class SetLine {
  private static final int MAX_ATTEMPTS = 8;

  private final LineWrites shared;

  SetLine(LineWrites shared) {
    this.shared = shared;
  }

  /** {@link CartService#set}. */
  Future<Cart> set(
      Owner owner, TokenBucket bucket, String sku, int quantity, Long ifMatch, String client) {
    Wanted wanted = new Wanted(owner, sku, quantity, ifMatch, shared.limits().holdFor(client));
    return shared
        .journal()
        .record(
            owner,
            shared.steps().begin(owner, bucket),
            before -> set(wanted, before, 1),
            cart -> cart,
            shared.activity()::changed);
  }

  /** What the client asked for. */
  private record Wanted(Owner owner, String sku, int quantity, Long ifMatch, HoldLimit limit) {}

  /** One attempt of a set: the line as it was read, and the change of its hold. */
  private record Setting(
      Wanted wanted, CartLine line, int delta, long expiresAt, String op, long now) {

    /** The cart's set script, for a line whose hold changes by {@code held} units. */
    Future<CartWrites.SetOutcome> apply(CartWrites writes, int held) {
      return writes.set(
          wanted.owner(),
          wanted.sku(),
          wanted.quantity(),
          line.quantity(),
          held,
          expiresAt,
          wanted.ifMatch(),
          op,
          now);
    }
  }

  private Future<Cart> set(Wanted wanted, Cart cart, int attempt) {
    return cart.matching(wanted.ifMatch()).compose(matched -> setLine(wanted, matched, attempt));
  }

  private Future<Cart> setLine(Wanted wanted, Cart cart, int attempt) {
    CartLine line = cart.line(wanted.sku());
    if (line == null) {
      return Future.failedFuture(CartWrites.lineNotFound(wanted.sku()));
    }
    try {
      cart.subtotalWith(wanted.sku(), wanted.quantity(), line.unitPrice());
    } catch (CartException refused) {
      return Future.failedFuture(refused);
    }
    long now = shared.clock().millis();
    long expiresAt = now + shared.holdTtl().toMillis();
    // A lapsed hold counts as none: the script returns its units before applying.
    int delta =
        Math.min(wanted.quantity(), shared.limits().holdCap())
            - (line.heldAt(now) ? line.held() : 0);
    Setting setting =
        new Setting(wanted, line, delta, expiresAt, UUID.randomUUID().toString(), now);
    Future<CartWrites.SetOutcome> outcome =
        delta > 0 ? holdThenSet(setting) : setThenRelease(setting);
    return outcome.compose(
        result -> {
          if (result instanceof CartWrites.SetOutcome.Applied applied) {
            return Future.succeededFuture(applied.cart());
          }
          if (attempt >= MAX_ATTEMPTS) {
            // Other writes of the line keep landing first: the client retries, nothing changed.
            return Future.failedFuture(
                new CartException(
                    CartException.Reason.IN_PROGRESS,
                    "other writes kept changing the line of " + wanted.sku() + "; retry"));
          }
          return shared
              .carts()
              .read(wanted.owner())
              .compose(moved -> set(wanted, moved, attempt + 1));
        });
  }

  private Future<CartWrites.SetOutcome> holdThenSet(Setting set) {
    String sku = set.wanted().sku();
    String cartId = set.wanted().owner().cartId();
    return shared
        .inventory()
        .adjustHold(sku, cartId, set.delta(), set.wanted().limit(), set.expiresAt(), set.op())
        .compose(
            hold ->
                set.apply(shared.writes(), hold.applied())
                    .recover(
                        refused ->
                            shared
                                .steps()
                                .giveBackIfRefused(
                                    refused,
                                    sku,
                                    cartId,
                                    hold.applied(),
                                    set.expiresAt(),
                                    set.op() + ":undo"))
                    .compose(
                        outcome ->
                            outcome instanceof CartWrites.SetOutcome.Moved
                                ? shared
                                    .inventory()
                                    .adjustHold(
                                        sku,
                                        cartId,
                                        -hold.applied(),
                                        set.expiresAt(),
                                        set.op() + ":undo")
                                    .map(outcome)
                                : Future.succeededFuture(outcome)));
  }

  private Future<CartWrites.SetOutcome> setThenRelease(Setting set) {
    return set.apply(shared.writes(), set.delta())
        .compose(
            outcome -> {
              if (outcome instanceof CartWrites.SetOutcome.Applied) {
                // A zero delta still restarts the hold's clock: it lapses after the last change.
                return shared
                    .steps()
                    .release(
                        set.wanted().sku(),
                        set.wanted().owner().cartId(),
                        -set.delta(),
                        set.expiresAt(),
                        set.op())
                    .map(outcome);
              }
              return Future.succeededFuture(outcome);
            });
  }
}
