package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.commerce.CartLine;
import com.cartgateway.events.EventPublisher;
import com.cartgateway.events.Topics;
import com.cartgateway.identity.Owner;
import com.cartgateway.inventory.CatalogJournal;
import com.cartgateway.inventory.InventoryStore;
import com.cartgateway.store.RedisGateway;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Checkout, strongly consistent without locking a SKU: under a short lease on the cart (so that
 * concurrent checkouts make one order), every line is repriced from the catalog and its hold topped
 * up where it lapsed; then the holds become sales, and the cart is emptied only if it is still at
 * the version the order was computed from (else the sales go back into holds and the checkout
 * starts again on the new cart). The order id derives from the idempotency key, so a retry finds
 * the order it placed.
 */
public final class Checkout {
  static final String OUTCOMES = "cart_checkouts";
  static final String OUTCOMES_DESCRIPTION = "Checkout outcomes by code";
  private static final int MAX_ATTEMPTS = 3;

  private final CartStore carts;
  private final InventoryStore inventory;
  private final CheckoutStore store;
  private final CheckoutStock stock;
  private final EventPublisher events;
  private final Duration holdTtl;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Counter soldUnits;
  private final CartActivity activity;
  private final CartJournal journal;
  private final CatalogJournal catalog;
  private final CartMetrics metrics;

  /**
   * @param carts the cart store
   * @param inventory the stock store
   * @param redis the verticle's Redis client (for the lease and the emptying of the cart)
   * @param events where placed orders go
   * @param holdTtl the hold lifetime (topped-up holds get it)
   * @param clock the time source
   * @param registry where outcomes are counted
   * @param activity what follows the change of the cart (it leaves the idle index)
   * @param journal what makes the emptied cart durable before the order is acknowledged
   * @param catalog what makes the sales durable (the SKUs' sold counts) before the order is
   *     acknowledged
   * @param metrics where carts reaching checkout are counted
   */
  public Checkout(
      CartStore carts,
      InventoryStore inventory,
      RedisGateway redis,
      EventPublisher events,
      Duration holdTtl,
      Clock clock,
      MeterRegistry registry,
      CartActivity activity,
      CartJournal journal,
      CatalogJournal catalog,
      CartMetrics metrics) {
    this.carts = carts;
    this.inventory = inventory;
    this.store = new CheckoutStore(redis);
    this.stock = new CheckoutStock(inventory);
    this.events = events;
    this.holdTtl = holdTtl;
    this.clock = clock;
    this.registry = registry;
    this.activity = activity;
    this.journal = journal;
    this.catalog = catalog;
    this.metrics = metrics;
    this.soldUnits =
        Counter.builder("cart_holds_sold_units")
            .description("Units whose hold became a sale at checkout")
            .register(registry);
  }

  /**
   * Places the order of the owner's cart.
   *
   * @param idempotencyKey the client's key; the same key gives the same order
   * @param acceptPriceChanges whether the shopper accepts prices that changed since adding
   * @param ifMatch the cart version the shopper checks out, or null for the current one
   * @return the order body
   */
  public Future<JsonObject> place(
      Owner owner, String idempotencyKey, boolean acceptPriceChanges, Long ifMatch) {
    String orderId = Orders.id(owner, idempotencyKey);
    return store
        .order(owner, orderId)
        .compose(
            placed ->
                placed.isPresent()
                    // a retry after a 503: the emptied cart may have missed cart.events too
                    ? carts
                        .read(owner)
                        .compose(cart -> journal.publish(List.of(cart)))
                        .compose(published -> catalog.publish(Orders.skusOf(placed.get())))
                        .compose(published -> publish(owner, new JsonObject(placed.get())))
                    : journal.recordAll(
                        List.of(owner.cartId()),
                        () ->
                            store.leased(
                                owner.cartId(),
                                orderId,
                                () -> attempt(owner, orderId, acceptPriceChanges, ifMatch, 1)),
                        // the emptied cart, or a later state if the shopper already added again
                        order -> carts.read(owner).map(List::of)))
        .onComplete(
            ar ->
                Counter.builder(OUTCOMES)
                    .description(OUTCOMES_DESCRIPTION)
                    .tag("outcome", outcome(ar.cause()))
                    .register(registry)
                    .increment());
  }

  private static String outcome(Throwable failure) {
    if (failure == null) {
      return "created";
    }
    return failure instanceof CartException e
        ? e.reason().name().toLowerCase(Locale.ROOT)
        : "unavailable";
  }

  private Future<JsonObject> attempt(
      Owner owner, String orderId, boolean acceptPriceChanges, Long ifMatch, int attempt) {
    return carts
        .read(owner)
        .compose(cart -> cart.matching(ifMatch))
        .compose(
            cart -> {
              if (cart.lines().isEmpty()) {
                return Future.failedFuture(Orders.empty());
              }
              if (attempt == 1) {
                metrics.checkoutStarted(cart);
              }
              List<String> skus = cart.lines().stream().map(CartLine::sku).toList();
              return inventory
                  .authoritativePrices(skus)
                  .compose(prices -> Orders.priced(cart, prices, acceptPriceChanges))
                  .compose(
                      order ->
                          // the sales' new sold counts are on catalog.events before the end
                          catalog.record(
                              skus,
                              () ->
                                  holdAndSell(
                                      owner,
                                      orderId,
                                      cart,
                                      order,
                                      acceptPriceChanges,
                                      ifMatch,
                                      attempt)));
            });
  }

  private Future<JsonObject> holdAndSell(
      Owner owner,
      String orderId,
      Cart cart,
      JsonObject order,
      boolean acceptPriceChanges,
      Long ifMatch,
      int attempt) {
    long now = clock.millis();
    long expiresAt = now + holdTtl.toMillis();
    String nonce = orderId + ":" + UUID.randomUUID();
    String cartId = owner.cartId();
    return stock
        .topUp(cart, cartId, now, expiresAt, nonce)
        .compose(topped -> stock.sell(cart, cartId, expiresAt, nonce))
        .compose(
            sold -> {
              if (!sold) {
                return retry(owner, orderId, acceptPriceChanges, ifMatch, attempt, "a hold moved");
              }
              return commit(
                  owner,
                  orderId,
                  cart,
                  Orders.placed(order, orderId, owner, now),
                  expiresAt,
                  nonce,
                  acceptPriceChanges,
                  ifMatch,
                  attempt);
            });
  }

  private Future<JsonObject> commit(
      Owner owner,
      String orderId,
      Cart cart,
      JsonObject placed,
      long expiresAt,
      String nonce,
      boolean acceptPriceChanges,
      Long ifMatch,
      int attempt) {
    return store
        .checkout(owner, cart.version(), orderId, placed.encode(), clock.millis())
        .compose(
            outcome -> {
              if (outcome instanceof CheckoutStore.CheckoutOutcome.Committed committed) {
                soldUnits.increment(cart.lines().stream().mapToInt(CartLine::quantity).sum());
                return activity
                    .changed(committed.cart())
                    .compose(emptied -> publish(owner, placed));
              }
              Future<Void> undone = stock.unsellAll(cart, owner.cartId(), expiresAt, nonce);
              if (outcome instanceof CheckoutStore.CheckoutOutcome.AlreadyPlaced previous) {
                return undone.compose(ignored -> publish(owner, new JsonObject(previous.order())));
              }
              return undone.compose(
                  ignored ->
                      retry(
                          owner,
                          orderId,
                          acceptPriceChanges,
                          ifMatch,
                          attempt,
                          "the cart changed"));
            });
  }

  private Future<JsonObject> retry(
      Owner owner,
      String orderId,
      boolean acceptPriceChanges,
      Long ifMatch,
      int attempt,
      String why) {
    if (attempt >= MAX_ATTEMPTS) {
      return Future.failedFuture(Orders.interrupted(why));
    }
    return attempt(owner, orderId, acceptPriceChanges, ifMatch, attempt + 1);
  }

  private Future<JsonObject> publish(Owner owner, JsonObject order) {
    return events.publish(Topics.CHECKOUTS, owner.cartId(), order).map(ignored -> order);
  }
}
