package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.commerce.CartException.Reason;
import com.cartgateway.commerce.CartLine;
import com.cartgateway.commerce.Money;
import com.cartgateway.events.EventPublisher;
import com.cartgateway.events.Topics;
import com.cartgateway.identity.Owner;
import com.cartgateway.inventory.CatalogJournal;
import com.cartgateway.inventory.InventoryStore;
import com.cartgateway.inventory.Price;
import com.cartgateway.store.Lease;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.Scripts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
  private static final Duration LEASE = Duration.ofSeconds(30);

  private final CartStore carts;
  private final InventoryStore inventory;
  private final RedisGateway redis;
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
   * @param redis the verticle's Redis client (for the lease)
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
    this.redis = redis;
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
    String orderId =
        UUID.nameUUIDFromBytes(
                (owner.cartId() + "|" + idempotencyKey).getBytes(StandardCharsets.UTF_8))
            .toString();
    return carts
        .order(owner, orderId)
        .compose(
            placed ->
                placed.isPresent()
                    // a retry after a 503: the emptied cart may have missed cart.events too
                    ? carts
                        .read(owner)
                        .compose(cart -> journal.publish(List.of(cart)))
                        .compose(published -> catalog.publish(skusOf(placed.get())))
                        .compose(published -> publish(owner, new JsonObject(placed.get())))
                    : journal.recordAll(
                        List.of(owner.cartId()),
                        () ->
                            leased(
                                owner,
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
        ? e.reason().name().toLowerCase(java.util.Locale.ROOT)
        : "unavailable";
  }

  private Future<JsonObject> leased(
      Owner owner, String orderId, java.util.function.Supplier<Future<JsonObject>> work) {
    String lease = RedisKeys.cartCheckoutLease(owner.cartId());
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

  private Future<JsonObject> attempt(
      Owner owner, String orderId, boolean acceptPriceChanges, Long ifMatch, int attempt) {
    return carts
        .read(owner)
        .compose(cart -> cart.matching(ifMatch))
        .compose(
            cart -> {
              if (cart.lines().isEmpty()) {
                return Future.failedFuture(
                    new CartException(Reason.VALIDATION_FAILED, "the cart is empty"));
              }
              if (attempt == 1) {
                metrics.checkoutStarted(cart);
              }
              List<String> skus = cart.lines().stream().map(CartLine::sku).toList();
              return inventory
                  .authoritativePrices(skus)
                  .compose(prices -> priced(cart, prices, acceptPriceChanges))
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

  /** The order at current prices, or a refusal naming the lines whose price changed. */
  private Future<JsonObject> priced(
      Cart cart, Map<String, Optional<Price>> prices, boolean acceptPriceChanges) {
    JsonArray changes = new JsonArray();
    JsonArray gone = new JsonArray();
    JsonArray items = new JsonArray();
    long subtotal = 0;
    for (CartLine line : cart.lines()) {
      Optional<Price> now = prices.get(line.sku());
      if (now.isEmpty() || !now.get().currency().equals(cart.currency())) {
        gone.add(
            new JsonObject()
                .put("sku", line.sku())
                .put("requested", line.quantity())
                .put("available", 0));
        continue;
      }
      long price = now.get().minorUnits();
      if (price != line.unitPrice()) {
        changes.add(
            new JsonObject()
                .put("sku", line.sku())
                .put("unitPrice", Money.format(line.unitPrice(), cart.currency()))
                .put("currentPrice", Money.format(price, cart.currency())));
      }
      subtotal += price * line.quantity();
      items.add(
          new JsonObject()
              .put("sku", line.sku())
              .put("quantity", line.quantity())
              .put("unitPrice", Money.format(price, cart.currency()))
              .put("variant", line.variant()));
    }
    if (!gone.isEmpty()) {
      return Future.failedFuture(outOfStock(gone));
    }
    if (!changes.isEmpty() && !acceptPriceChanges) {
      return Future.failedFuture(
          new CartException(
              Reason.PRICE_CHANGED,
              "prices changed since the lines were added; confirm with acceptPriceChanges",
              new JsonObject().put("changes", changes)));
    }
    return Future.succeededFuture(
        new JsonObject()
            .put("cartId", cart.owner().cartId())
            .put("items", items)
            .put("subtotal", Money.format(subtotal, cart.currency()))
            .put("currency", cart.currency()));
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
                  CartLine line = cart.lines().get(i);
                  short_.add(
                      new JsonObject()
                          .put("sku", line.sku())
                          .put("requested", line.quantity())
                          .put("available", e.extras().getLong("available", 0L)));
                }
              }
              if (!short_.isEmpty()) {
                return undoTopUps(cart, topUps, cartId, expiresAt, nonce)
                    .compose(ignored -> Future.failedFuture(outOfStock(short_)));
              }
              return sell(cart, cartId, expiresAt, nonce)
                  .compose(
                      sold -> {
                        if (!sold) {
                          return retry(
                              owner, orderId, acceptPriceChanges, ifMatch, attempt, "a hold moved");
                        }
                        JsonObject placed =
                            order
                                .copy()
                                .put("orderId", orderId)
                                .put(
                                    "owner",
                                    new JsonObject()
                                        .put("type", owner.type())
                                        .put("id", owner.id()))
                                .put("createdAt", Instant.ofEpochMilli(now).toString());
                        return commit(
                            owner,
                            orderId,
                            cart,
                            placed,
                            expiresAt,
                            nonce,
                            acceptPriceChanges,
                            ifMatch,
                            attempt);
                      });
            });
  }

  /** Sells every line; when one line is short, undoes the sales made and reports false. */
  private Future<Boolean> sell(Cart cart, String cartId, long expiresAt, String nonce) {
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
    return carts
        .checkout(owner, cart.version(), orderId, placed.encode(), clock.millis())
        .compose(
            outcome -> {
              if (outcome instanceof CartStore.CheckoutOutcome.Committed committed) {
                soldUnits.increment(cart.lines().stream().mapToInt(CartLine::quantity).sum());
                return activity
                    .changed(committed.cart())
                    .compose(emptied -> publish(owner, placed));
              }
              List<Future<Boolean>> all =
                  cart.lines().stream().map(l -> Future.succeededFuture(true)).toList();
              Future<Void> undone = unsell(cart, all, owner.cartId(), expiresAt, nonce);
              if (outcome instanceof CartStore.CheckoutOutcome.AlreadyPlaced previous) {
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
      return Future.failedFuture(
          new CartException(Reason.IN_PROGRESS, why + " during checkout; retry"));
    }
    return attempt(owner, orderId, acceptPriceChanges, ifMatch, attempt + 1);
  }

  private Future<JsonObject> publish(Owner owner, JsonObject order) {
    return events.publish(Topics.CHECKOUTS, owner.cartId(), order).map(ignored -> order);
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

  /** The SKUs of a kept order. */
  private static List<String> skusOf(String order) {
    JsonArray items = new JsonObject(order).getJsonArray("items");
    List<String> skus = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      skus.add(items.getJsonObject(i).getString("sku"));
    }
    return skus;
  }

  private static CartException outOfStock(JsonArray lines) {
    return new CartException(
        Reason.OUT_OF_STOCK,
        "not enough stock for " + lines.size() + " line(s)",
        new JsonObject()
            .put("skus", lines)
            .put("available", lines.getJsonObject(0).getLong("available")));
  }
}
