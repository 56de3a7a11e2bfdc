package com.cartgateway.cart;

import com.cartgateway.commerce.CartLine;
import com.cartgateway.identity.Owner;
import com.cartgateway.inventory.InventoryStore;
import com.cartgateway.inventory.LastKnownPrices;
import com.cartgateway.inventory.PriceCache;
import com.cartgateway.store.StoreUnavailableException;
import com.cartgateway.store.TokenBucket;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.function.LongPredicate;

/**
 * A client's reads of its cart, and the bodies that answer reads and writes: where a read is found
 * (near cache, Redis, DynamoDB) and decided to be stale, and how its body is rendered or served
 * again.
 */
public final class CartReads {
  private static final JsonObject STALE_READ =
      new JsonObject()
          .put("code", "stale_read")
          .put(
              "detail",
              "served from the durable copy while the cart store cannot serve this cart: it may"
                  + " miss the latest changes, holds are not shown and prices are the last known");

  private final CartStore carts;
  private final InventoryStore inventory;
  private final Clock clock;
  private final CartRebuilder rebuilder;
  private final CartBodies bodies;
  private final LastKnownPrices lastKnownPrices;
  private final CartMetrics metrics;

  /**
   * @param carts the cart store
   * @param inventory the current prices
   * @param clock the time source
   * @param rebuilder what shows a cart Redis lost
   * @param bodies the process's rendered cart bodies
   * @param lastKnownPrices the prices a stale read shows
   * @param metrics where reads of carts Redis lacked are counted
   */
  public CartReads(
      CartStore carts,
      InventoryStore inventory,
      Clock clock,
      CartRebuilder rebuilder,
      CartBodies bodies,
      LastKnownPrices lastKnownPrices,
      CartMetrics metrics) {
    this.carts = carts;
    this.inventory = inventory;
    this.clock = clock;
    this.rebuilder = rebuilder;
    this.bodies = bodies;
    this.lastKnownPrices = lastKnownPrices;
    this.metrics = metrics;
  }

  /**
   * A client's read of its cart, answered: the cart and its body, or no body when the caller's copy
   * is current. A stale read always has a body: it is not the cart at its version.
   *
   * @param bucket on the cart's slot, or null for a read that is not limited
   * @param atLeastVersion a version the caller knows the cart reached: an older copy is not served
   * @param callerHas whether the caller holds the cart at a version (its If-None-Match)
   */
  public Future<CartAnswer> read(
      Owner owner, TokenBucket bucket, long atLeastVersion, LongPredicate callerHas) {
    return view(owner, bucket, atLeastVersion)
        .compose(
            read ->
                !read.stale() && callerHas.test(read.cart().version())
                    ? Future.succeededFuture(new CartAnswer(read.cart(), false, null))
                    : body(read).map(body -> new CartAnswer(read.cart(), read.stale(), body)));
  }

  /** The answer to a write that left the cart as it is. */
  Future<CartAnswer> written(Cart cart) {
    return body(cart).map(body -> new CartAnswer(cart, false, body));
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
  private Future<CartRead> view(Owner owner, TokenBucket bucket, long atLeastVersion) {
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
  private Future<Buffer> body(CartRead read) {
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
  private Future<Buffer> body(Cart cart) {
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
  Future<JsonObject> render(Cart cart) {
    return currentPrices(cart).map(prices -> CartView.render(cart, prices.bySku(), clock.millis()));
  }

  private Future<PriceCache.Prices> currentPrices(Cart cart) {
    return inventory.currentPrices(cart.lines().stream().map(CartLine::sku).toList());
  }
}
