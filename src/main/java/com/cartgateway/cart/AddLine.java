package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.commerce.CartLine;
import com.cartgateway.identity.Owner;
import com.cartgateway.inventory.HoldLimit;
import com.cartgateway.inventory.HoldResult;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.TokenBucket;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * An add: the hold of its units goes beside the cart's first step, is corrected when the line wants
 * more or less than was taken, and goes back when the cart refuses.
 */
final class AddLine {
  private final LineWrites shared;
  private final RefusedWriters refusedWriters;

  AddLine(LineWrites shared, RefusedWriters refusedWriters) {
    this.shared = shared;
    this.refusedWriters = refusedWriters;
  }

  /** {@link CartService#add}. */
  Future<Cart> add(
      Owner owner,
      TokenBucket bucket,
      String sku,
      int quantity,
      JsonObject variant,
      Long ifMatch,
      String idempotencyKey,
      String client) {
    boolean keyed = idempotencyKey != null;
    String op =
        keyed
            ? RedisKeys.KEYED_OP
                + UUID.nameUUIDFromBytes(
                    (owner.cartId() + "|add|" + idempotencyKey).getBytes(StandardCharsets.UTF_8))
            : UUID.randomUUID().toString();
    long now = shared.clock().millis();
    long expiresAt = now + shared.holdTtl().toMillis();
    Added added =
        new Added(
            owner,
            sku,
            quantity,
            variant,
            ifMatch,
            op,
            now,
            expiresAt,
            shared.limits().holdFor(client));
    // A writer refused until its token is back takes its token first, so that a stream of
    // refusals does not move stock on the way.
    boolean beside = bucket == null || !refusedWriters.refused(owner.cartId());
    return shared
        .journal()
        .record(
            owner,
            beside
                ? () -> holdBeside(added, bucket, keyed)
                : () ->
                    shared.steps().begin(owner, bucket).get().map(cart -> new Begun(cart, null)),
            begun -> adding(added, begun),
            cart -> cart,
            shared.activity()::changed);
  }

  /** What an add was asked to do, and when. */
  private record Added(
      Owner owner,
      String sku,
      int quantity,
      JsonObject variant,
      Long ifMatch,
      String op,
      long now,
      long expiresAt,
      HoldLimit limit) {}

  /** The cart as its write's first step read it, and the hold taken beside it (or null). */
  private record Begun(Cart cart, HoldResult hold) {}

  private Future<Begun> holdBeside(Added add, TokenBucket bucket, boolean keyed) {
    String cartId = add.owner().cartId();
    Future<HoldResult> hold =
        shared
            .inventory()
            .adjustHold(add.sku(), cartId, add.quantity(), add.limit(), add.expiresAt(), add.op());
    Future<Cart> cart = shared.steps().begin(add.owner(), bucket).get();
    return Future.join(cart, hold)
        .map(both -> new Begun(cart.result(), hold.result()))
        .recover(
            failure -> {
              if (cart.succeeded()) {
                return Future.failedFuture(hold.cause());
              }
              if (cart.cause() instanceof TokenBucket.EmptyException empty) {
                refusedWriters.refused(cartId, empty.waitMillis());
              }
              // The cart did not change, so the hold goes back before the answer. A client's key
              // keeps it instead: a retry under that key replays the hold rather than taking it
              // again, and without a retry it lapses with its TTL.
              if (keyed || hold.failed() || hold.result().applied() == 0) {
                return Future.failedFuture(cart.cause());
              }
              return shared
                  .inventory()
                  .adjustHold(
                      add.sku(),
                      cartId,
                      -hold.result().applied(),
                      add.expiresAt(),
                      add.op() + ":undo")
                  .transform(ignored -> Future.failedFuture(cart.cause()));
            });
  }

  private Future<Cart> adding(Added add, Begun begun) {
    String cartId = add.owner().cartId();
    // An add is a change of the line, so its whole quantity is held again (up to the cap), also
    // the part whose hold lapsed; without a lapse this is just `quantity`.
    CartLine line = begun.cart().line(add.sku());
    int had = line == null ? 0 : line.quantity();
    int held = line != null && line.heldAt(add.now()) ? line.held() : 0;
    int wanted = Math.max(0, Math.min(had + add.quantity(), shared.limits().holdCap()) - held);
    Future<HoldResult> hold =
        begun.hold() == null
            ? shared
                .inventory()
                .adjustHold(add.sku(), cartId, wanted, add.limit(), add.expiresAt(), add.op())
            : corrected(add, begun.hold(), wanted);
    return hold.compose(
        taken -> {
          // checked before the write, so that the refusal changes nothing
          try {
            begun.cart().subtotalWith(add.sku(), had + add.quantity(), taken.price().minorUnits());
          } catch (CartException refused) {
            return undoIfRefused(refused, add, taken.applied());
          }
          return shared
              .writes()
              .add(
                  add.owner(),
                  new CartWrites.Addition(
                      add.sku(),
                      add.quantity(),
                      taken.price().minorUnits(),
                      taken.price().currency(),
                      add.variant(),
                      taken.applied(),
                      add.expiresAt()),
                  shared.limits(),
                  add.ifMatch(),
                  add.op(),
                  add.now(),
                  begun.cart().version() > 0)
              .recover(refused -> undoIfRefused(refused, add, taken.applied()));
        });
  }

  /**
   * The hold taken beside the first step, brought to what the line wants: more when the line's hold
   * had lapsed, less when a cart restored after a loss already counts units as held.
   */
  private Future<HoldResult> corrected(Added add, HoldResult taken, int wanted) {
    int more = wanted - taken.applied();
    if (more == 0) {
      return Future.succeededFuture(taken);
    }
    String cartId = add.owner().cartId();
    return shared
        .inventory()
        .adjustHold(add.sku(), cartId, more, add.limit(), add.expiresAt(), add.op() + ":more")
        .map(
            extra -> new HoldResult(extra.price(), extra.held(), taken.applied() + extra.applied()))
        .recover(refused -> undoIfRefused(refused, add, taken.applied()));
  }

  /** {@link WriteSteps#giveBackIfRefused} of the units an add held. */
  private <T> Future<T> undoIfRefused(Throwable refused, Added add, int units) {
    return shared
        .steps()
        .giveBackIfRefused(
            refused, add.sku(), add.owner().cartId(), units, add.expiresAt(), add.op() + ":undo");
  }
}
