package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.commerce.CartLine;
import com.cartgateway.identity.Owner;
import com.cartgateway.inventory.HoldResult;
import com.cartgateway.inventory.InventoryStore;
import com.cartgateway.inventory.LastKnownPrices;
import com.cartgateway.inventory.PriceCache;
import com.cartgateway.store.StoreUnavailableException;
import com.cartgateway.store.TokenBucket;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The cart operations. Each one spans the cart's slot and the SKU's slot, so it is a short sequence
 * of single-slot scripts: holds are taken before the cart changes (and given back when the cart
 * refuses), and given back after the cart changes. A crash in between leaves at most a hold without
 * a line, which lapses with its TTL.
 */
public final class CartService {
  private static final Logger LOG = Logger.getLogger(CartService.class.getName());
  private static final int MAX_ATTEMPTS = 8;
  private static final JsonObject STALE_READ =
      new JsonObject()
          .put("code", "stale_read")
          .put(
              "detail",
              "served from the durable copy while the cart store cannot serve this cart: it may"
                  + " miss the latest changes, holds are not shown and prices are the last known");

  private final CartStore carts;
  private final InventoryStore inventory;
  private final CartStore.Limits limits;
  private final Duration holdTtl;
  private final Clock clock;
  private final CartActivity activity;
  private final CartJournal journal;
  private final CartRebuilder rebuilder;
  private final CartBodies bodies;
  private final RefusedWriters refusedWriters;
  private final LastKnownPrices lastKnownPrices;
  private final CartMetrics metrics;

  /**
   * @param carts the cart store
   * @param inventory the stock store
   * @param limits the cart limits
   * @param holdTtl how long a hold lasts after its line's last change
   * @param clock the time source
   * @param activity what follows each change (idle index, recovery announcements)
   * @param journal what makes each change durable before it is acknowledged
   * @param rebuilder what shows a cart Redis lost
   * @param bodies the process's rendered cart bodies
   * @param refusedWriters the process's writers refused a token lately
   * @param lastKnownPrices the prices a stale read shows
   * @param metrics where reads of carts Redis lacked are counted
   */
  public CartService(
      CartStore carts,
      InventoryStore inventory,
      CartStore.Limits limits,
      Duration holdTtl,
      Clock clock,
      CartActivity activity,
      CartJournal journal,
      CartRebuilder rebuilder,
      CartBodies bodies,
      RefusedWriters refusedWriters,
      LastKnownPrices lastKnownPrices,
      CartMetrics metrics) {
    this.carts = carts;
    this.inventory = inventory;
    this.limits = limits;
    this.holdTtl = holdTtl;
    this.clock = clock;
    this.activity = activity;
    this.journal = journal;
    this.rebuilder = rebuilder;
    this.bodies = bodies;
    this.refusedWriters = refusedWriters;
    this.lastKnownPrices = lastKnownPrices;
    this.metrics = metrics;
  }

  /**
   * The owner's cart for a client's read (from the near cache while Redis says it has not changed),
   * taking the reader's rate-limit token in the same round trip; DynamoDB's copy if Redis lost it.
   * When Redis fails (down, past its command deadline, or its circuit open), DynamoDB's copy as a
   * stale read, read-only: this is where a read is decided to be stale.
   *
   * @param bucket on the cart's slot, or null for a read that is not limited
   * @param atLeastVersion a version the caller knows the cart reached: an older copy is not served
   */
  public Future<CartRead> view(Owner owner, TokenBucket bucket, long atLeastVersion) {
    return carts
        .view(owner, bucket, atLeastVersion, clock.millis())
        .compose(
            cart ->
                cart.version() == 0
                    ? fromDurable(cart)
                    : Future.succeededFuture(new CartRead(cart, false)))
        .recover(
            failure ->
                redisFailed(failure)
                    ? rebuilder.durableCopy(owner).map(this::staleRead)
                    : Future.failedFuture(failure));
  }

  /** A cart Redis lacks: DynamoDB's copy, counted as a read from it when DynamoDB had one. */
  private Future<CartRead> fromDurable(Cart missing) {
    return rebuilder
        .onReadMiss(missing)
        .onSuccess(
            read -> {
              if (read.cart().version() > 0) {
                metrics.readFromDynamoDb();
              }
            });
  }

  /** DynamoDB's copy while Redis fails, counted as a read from it when DynamoDB had one. */
  private CartRead staleRead(Cart cart) {
    if (cart.version() > 0) {
      metrics.readFromDynamoDb();
    }
    return new CartRead(cart, true);
  }

  private static boolean redisFailed(Throwable failure) {
    return failure instanceof StoreUnavailableException e && "redis".equals(e.service());
  }

  /**
   * The body of a read: for a stale read, with the catalog's last known prices (never from Redis),
   * a {@code stale_read} warning in place of each line's {@code hold_expired}, and never kept.
   */
  public Future<Buffer> body(CartRead read) {
    if (!read.stale()) {
      return body(read.cart());
    }
    Cart cart = read.cart();
    return lastKnownPrices
        .of(cart.lines().stream().map(CartLine::sku).toList())
        .map(
            prices -> {
              JsonObject body = CartView.render(cart, prices, clock.millis());
              // No line shows a hold: said once for the cart, not as a lapse of every line's hold.
              JsonArray warnings = new JsonArray().add(STALE_READ.copy());
              for (Object warning : body.getJsonArray("warnings")) {
                if (!"hold_expired".equals(((JsonObject) warning).getString("code"))) {
                  warnings.add(warning);
                }
              }
              return body.put("warnings", warnings).toBuffer();
            });
  }

  /** The cart's body with current prices, encoded again only when something it shows changed. */
  public Future<Buffer> body(Cart cart) {
    Buffer kept = bodies.get(cart, clock.millis(), inventory::pricesUnchanged);
    if (kept != null) {
      return Future.succeededFuture(kept);
    }
    return currentPrices(cart)
        .map(
            prices -> {
              long now = clock.millis();
              Buffer body = bodies.get(cart, prices, now);
              if (body == null) {
                body = CartView.render(cart, prices.bySku(), now).toBuffer();
                bodies.put(cart, prices, now, body);
              }
              return body;
            });
  }

  /** Renders a cart with current prices, for an answer that adds to it. */
  public Future<JsonObject> render(Cart cart) {
    return currentPrices(cart).map(prices -> CartView.render(cart, prices.bySku(), clock.millis()));
  }

  private Future<PriceCache.Prices> currentPrices(Cart cart) {
    return inventory.currentPrices(cart.lines().stream().map(CartLine::sku).toList());
  }

  /**
   * Adds units of a SKU, holding them first.
   *
   * <p>Two round trips before the Kafka send: the hold of {@code quantity} goes beside the cart's
   * first step (its token and lines), then the cart changes. The first step's lines decide only
   * whether the hold needs a correction (a line whose hold lapsed is held whole again), which is a
   * round trip of its own in that case alone.
   *
   * @param bucket the writer's rate-limit bucket on the cart's slot, taken from in the write's
   *     first round trip (a refusal fails with {@link TokenBucket.EmptyException}); null when the
   *     caller took its token already or writes are not limited
   * @param idempotencyKey the client's key, or null: the same key makes the same operation, so a
   *     retry after an answer that never arrived (or a 503 once the change applied) adds nothing
   *     more, while set, remove and clear are idempotent by their nature
   */
  public Future<Cart> add(
      Owner owner,
      TokenBucket bucket,
      String sku,
      int quantity,
      JsonObject variant,
      Long ifMatch,
      String idempotencyKey) {
    boolean keyed = idempotencyKey != null;
    String op =
        keyed
            ? UUID.nameUUIDFromBytes(
                    (owner.cartId() + "|add|" + idempotencyKey).getBytes(StandardCharsets.UTF_8))
                .toString()
            : UUID.randomUUID().toString();
    long now = clock.millis();
    long expiresAt = now + holdTtl.toMillis();
    Added added = new Added(owner, sku, quantity, variant, ifMatch, op, now, expiresAt);
    // A writer refused until its token is back takes its token first, so that a stream of
    // refusals does not move stock on the way.
    boolean beside = bucket == null || !refusedWriters.refused(owner.cartId());
    return journal.record(
        owner,
        beside
            ? () -> holdBeside(added, bucket, keyed)
            : () -> begin(owner, bucket).get().map(cart -> new Begun(cart, null)),
        begun -> adding(added, begun),
        cart -> cart,
        activity::changed);
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
      long expiresAt) {}

  /** The cart as its write's first step read it, and the hold taken beside it (or null). */
  private record Begun(Cart cart, HoldResult hold) {}

  private Future<Begun> holdBeside(Added add, TokenBucket bucket, boolean keyed) {
    String cartId = add.owner().cartId();
    Future<HoldResult> hold =
        inventory.adjustHold(
            add.sku(), cartId, add.quantity(), limits.holdCap(), add.expiresAt(), add.op());
    Future<Cart> cart = begin(add.owner(), bucket).get();
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
              return inventory
                  .adjustHold(
                      add.sku(),
                      cartId,
                      -hold.result().applied(),
                      add.expiresAt(),
                      add.op() + ":undo")
                  .transform(ignored -> Future.failedFuture(cart.cause()));
            });
  }

  /**
   * A write's first round trip on the cart's slot: its token, and the cart as stored, brought back
   * first if Redis lacked it (version 0: a cart never written).
   */
  private Supplier<Future<Cart>> begin(Owner owner, TokenBucket bucket) {
    return () ->
        carts
            .begin(owner, bucket)
            .compose(
                begun ->
                    begun.cart().isPresent()
                        ? Future.succeededFuture(begun.cart().get())
                        : rebuilder.bringBack(owner.cartId()).compose(back -> carts.read(owner)));
  }

  private Future<Cart> adding(Added add, Begun begun) {
    String cartId = add.owner().cartId();
    // An add is a change of the line, so its whole quantity is held again (up to the cap), also
    // the part whose hold lapsed; without a lapse this is just `quantity`.
    CartLine line = begun.cart().line(add.sku());
    int had = line == null ? 0 : line.quantity();
    int held = line != null && line.heldAt(add.now()) ? line.held() : 0;
    int wanted = Math.max(0, Math.min(had + add.quantity(), limits.holdCap()) - held);
    Future<HoldResult> hold =
        begun.hold() == null
            ? inventory.adjustHold(
                add.sku(), cartId, wanted, limits.holdCap(), add.expiresAt(), add.op())
            : corrected(add, begun.hold(), wanted);
    return hold.compose(
        taken ->
            carts
                .add(
                    add.owner(),
                    new CartStore.Addition(
                        add.sku(),
                        add.quantity(),
                        taken.price().minorUnits(),
                        taken.price().currency(),
                        add.variant(),
                        taken.applied(),
                        add.expiresAt()),
                    limits,
                    add.ifMatch(),
                    add.op(),
                    add.now(),
                    begun.cart().version() > 0)
                .recover(refused -> undoIfRefused(refused, add, taken.applied())));
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
    return inventory
        .adjustHold(add.sku(), cartId, more, limits.holdCap(), add.expiresAt(), add.op() + ":more")
        .map(
            extra -> new HoldResult(extra.price(), extra.held(), taken.applied() + extra.applied()))
        .recover(refused -> undoIfRefused(refused, add, taken.applied()));
  }

  /** {@link #giveBackIfRefused} of the units an add held. */
  private <T> Future<T> undoIfRefused(Throwable refused, Added add, int units) {
    return giveBackIfRefused(
        refused, add.sku(), add.owner().cartId(), units, add.expiresAt(), add.op() + ":undo");
  }

  /**
   * Sets a line's quantity, holding or releasing the difference.
   *
   * @param bucket as for {@link #add}
   */
  public Future<Cart> set(Owner owner, TokenBucket bucket, String sku, int quantity, Long ifMatch) {
    return journal.record(
        owner,
        begin(owner, bucket),
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
      return Future.failedFuture(CartStore.lineNotFound(sku));
    }
    long now = clock.millis();
    long expiresAt = now + holdTtl.toMillis();
    String op = UUID.randomUUID().toString();
    // A lapsed hold counts as none: the script returns its units before applying.
    int delta = Math.min(quantity, limits.holdCap()) - (line.heldAt(now) ? line.held() : 0);
    Future<CartStore.SetOutcome> outcome =
        delta > 0
            ? holdThenSet(owner, sku, quantity, line, delta, expiresAt, ifMatch, op, now)
            : setThenRelease(owner, sku, quantity, line, delta, expiresAt, ifMatch, op, now);
    return outcome.compose(
        result -> {
          if (result instanceof CartStore.SetOutcome.Applied applied) {
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

  private Future<CartStore.SetOutcome> holdThenSet(
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
                carts
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
                            giveBackIfRefused(
                                refused, sku, cartId, hold.applied(), expiresAt, op + ":undo"))
                    .compose(
                        outcome ->
                            outcome instanceof CartStore.SetOutcome.Moved
                                ? inventory
                                    .adjustHold(
                                        sku, cartId, -hold.applied(), expiresAt, op + ":undo")
                                    .map(outcome)
                                : Future.succeededFuture(outcome)));
  }

  private Future<CartStore.SetOutcome> setThenRelease(
      Owner owner,
      String sku,
      int quantity,
      CartLine line,
      int delta,
      long expiresAt,
      Long ifMatch,
      String op,
      long now) {
    return carts
        .set(owner, sku, quantity, line.quantity(), delta, expiresAt, ifMatch, op, now)
        .compose(
            outcome -> {
              if (outcome instanceof CartStore.SetOutcome.Applied) {
                // A zero delta still restarts the hold's clock: it lapses after the last change.
                return release(sku, owner.cartId(), -delta, expiresAt, op).map(outcome);
              }
              return Future.succeededFuture(outcome);
            });
  }

  /**
   * Removes a line and releases its hold; removing an absent line changes nothing.
   *
   * @param bucket as for {@link #add}
   */
  public Future<Cart> remove(Owner owner, TokenBucket bucket, String sku, Long ifMatch) {
    long now = clock.millis();
    return journal.record(
        owner,
        begin(owner, bucket),
        before ->
            carts
                .remove(owner, sku, ifMatch, now, before.version() > 0)
                .compose(r -> releaseAll(owner, r, now)),
        cart -> cart,
        activity::changed);
  }

  /**
   * Empties the cart and releases every hold.
   *
   * @param bucket as for {@link #add}
   */
  public Future<Cart> clear(Owner owner, TokenBucket bucket, Long ifMatch) {
    long now = clock.millis();
    return journal.record(
        owner,
        begin(owner, bucket),
        before ->
            carts
                .clear(owner, ifMatch, now, before.version() > 0)
                .compose(r -> releaseAll(owner, r, now)),
        cart -> cart,
        activity::changed);
  }

  private Future<Cart> releaseAll(Owner owner, CartStore.Removal removal, long now) {
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
  private Future<Void> release(String sku, String cartId, int units, long expiresAt, String op) {
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
  private <T> Future<T> giveBackIfRefused(
      Throwable refused, String sku, String cartId, int units, long expiresAt, String op) {
    if (!(refused instanceof CartException) || units == 0) {
      return Future.failedFuture(refused);
    }
    return inventory
        .adjustHold(sku, cartId, -units, expiresAt, op)
        .transform(ignored -> Future.failedFuture(refused));
  }
}
