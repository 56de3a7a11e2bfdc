package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.commerce.CartLine;
import com.cartgateway.config.MergePolicy;
import com.cartgateway.identity.IdentityException;
import com.cartgateway.identity.Owner;
import com.cartgateway.inventory.InventoryStore;
import com.cartgateway.store.CartRecords;
import com.cartgateway.store.Lease;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.ScriptReply;
import com.cartgateway.store.Scripts;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Merges a guest's cart into the shopper's cart at login. Under a lease on the guest cart (so
 * concurrent merges of one guest cart run one at a time), each SKU's holds move from the guest to
 * the shopper in one script on the SKU's slot (surplus released, shortfall taken from stock where
 * it allows), then the merged lines are written to the shopper's cart if it did not change
 * meanwhile (else the plan is made again: the transfers are absolute, so repeating them is safe),
 * and the guest cart is retired. A repeat finds the guest cart gone and changes nothing.
 */
public final class Merge {
  private static final Duration LEASE = Duration.ofSeconds(10);
  private static final long LEASE_POLL_MILLIS = 50;
  private static final int MAX_ATTEMPTS = 5;

  /**
   * The outcome of a merge.
   *
   * @param cart the shopper's cart after it
   * @param report one entry per guest line: {sku, guestQuantity, userQuantity, result}
   * @param warnings what the shopper should know (lines that could not be held)
   */
  public record Result(Cart cart, JsonArray report, JsonArray warnings) {}

  private final Vertx vertx;
  private final CartStore carts;
  private final InventoryStore inventory;
  private final RedisGateway redis;
  private final CartStore.Limits limits;
  private final Duration holdTtl;
  private final MergePolicy policy;
  private final Clock clock;
  private final CartActivity activity;
  private final CartJournal journal;

  /**
   * @param vertx for the lease's polling timer
   * @param carts the cart store
   * @param inventory the stock store
   * @param redis the verticle's Redis client
   * @param limits the cart limits (lines, units a line, hold cap)
   * @param holdTtl the hold lifetime
   * @param policy how a SKU in both carts is resolved
   * @param clock the time source
   * @param activity what follows the changes of both carts
   * @param journal what makes both carts' changes durable before the merge is acknowledged
   */
  public Merge(
      Vertx vertx,
      CartStore carts,
      InventoryStore inventory,
      RedisGateway redis,
      CartStore.Limits limits,
      Duration holdTtl,
      MergePolicy policy,
      Clock clock,
      CartActivity activity,
      CartJournal journal) {
    this.vertx = vertx;
    this.carts = carts;
    this.inventory = inventory;
    this.redis = redis;
    this.limits = limits;
    this.holdTtl = holdTtl;
    this.policy = policy;
    this.clock = clock;
    this.activity = activity;
    this.journal = journal;
  }

  /** Merges the guest's cart into the user's cart. */
  public Future<Result> merge(Owner user, Owner guest, Long ifMatch) {
    String lease = RedisKeys.cartMergeLease(guest.cartId());
    String token = UUID.randomUUID().toString();
    return journal.recordAll(
        List.of(user.cartId(), guest.cartId()),
        () ->
            acquire(lease, token, 0)
                .compose(
                    ignored ->
                        mergeLeased(user, guest, ifMatch)
                            .eventually(
                                () ->
                                    Scripts.LEASE_RELEASE.call(
                                        redis, List.of(lease), List.of(token)))),
        // the guest's tombstone (or whatever it is now) and the shopper's merged cart
        result ->
            carts
                .read(guest)
                .map(
                    guestCart ->
                        Stream.of(guestCart, result.cart()).filter(c -> c.version() > 0).toList()));
  }

  /** Waits for the guest cart's lease: concurrent merges of it run one after the other. */
  private Future<Void> acquire(String lease, String token, int tries) {
    return Lease.take(redis, lease, token, LEASE)
        .compose(
            taken -> {
              if (taken) {
                return Future.succeededFuture();
              }
              if (tries * LEASE_POLL_MILLIS > LEASE.toMillis()) {
                return Future.failedFuture(
                    new CartException(
                        CartException.Reason.IN_PROGRESS, "a merge of this guest cart is running"));
              }
              Promise<Void> later = Promise.promise();
              vertx.setTimer(
                  LEASE_POLL_MILLIS, id -> acquire(lease, token, tries + 1).onComplete(later));
              return later.future();
            });
  }

  private Future<Result> mergeLeased(Owner user, Owner guest, Long ifMatch) {
    return CartRecords.mergedInto(redis, guest.cartId())
        .compose(
            mergedInto -> {
              if (mergedInto.filter(into -> !into.equals(user.cartId())).isPresent()) {
                return Future.failedFuture(
                    new IdentityException(
                        IdentityException.Kind.FORBIDDEN,
                        "this guest session was merged into another shopper's cart"));
              }
              return carts.read(guest);
            })
        .compose(
            guestCart ->
                guestCart.lines().isEmpty()
                    ? carts
                        .read(user)
                        .compose(cart -> cart.matching(ifMatch))
                        .map(cart -> new Result(cart, new JsonArray(), new JsonArray()))
                    : attempt(user, guestCart, ifMatch, 1));
  }

  private record Planned(
      CartLine guest, CartLine user, int quantity, long price, String result, int target) {}

  private Future<Result> attempt(Owner user, Cart guestCart, Long ifMatch, int attempt) {
    return carts
        .read(user)
        .compose(userCart -> userCart.matching(ifMatch))
        .compose(
            userCart -> {
              List<Planned> plan = plan(guestCart, userCart);
              long now = clock.millis();
              long expiresAt = now + holdTtl.toMillis();
              List<Future<ScriptReply>> transfers = new ArrayList<>();
              for (Planned p : plan) {
                transfers.add(
                    transfer(p.guest().sku(), guestCart, userCart, p.target(), expiresAt));
              }
              return Future.all(transfers)
                  .compose(
                      held ->
                          write(
                              user, guestCart, userCart, plan, held, now, expiresAt, ifMatch,
                              attempt));
            });
  }

  private List<Planned> plan(Cart guestCart, Cart userCart) {
    List<Planned> plan = new ArrayList<>();
    int lines = userCart.lines().size();
    boolean sameCurrency =
        userCart.currency() == null || userCart.currency().equals(guestCart.currency());
    for (CartLine g : guestCart.lines()) {
      CartLine u = userCart.line(g.sku());
      if (u == null) {
        if (!sameCurrency) {
          plan.add(new Planned(g, null, 0, g.unitPrice(), "dropped_currency_mismatch", 0));
          continue;
        }
        if (lines >= limits.maxLines()) {
          plan.add(new Planned(g, null, 0, g.unitPrice(), "dropped_cart_full", 0));
          continue;
        }
        lines++;
        int quantity = Math.min(g.quantity(), limits.maxQuantity());
        plan.add(
            new Planned(
                g, null, quantity, g.unitPrice(), "added", Math.min(quantity, limits.holdCap())));
        continue;
      }
      int quantity;
      String result;
      switch (policy) {
        case SUM -> {
          int sum = g.quantity() + u.quantity();
          quantity = Math.min(sum, limits.maxQuantity());
          result = sum > limits.maxQuantity() ? "capped" : "summed";
        }
        case PREFER_GUEST -> {
          quantity = g.quantity();
          result = "took_guest";
        }
        default -> {
          quantity = Math.max(g.quantity(), u.quantity());
          result = g.quantity() > u.quantity() ? "took_guest" : "kept_user";
        }
      }
      plan.add(
          new Planned(g, u, quantity, u.unitPrice(), result, Math.min(quantity, limits.holdCap())));
    }
    return plan;
  }

  private Future<ScriptReply> transfer(
      String sku, Cart guestCart, Cart userCart, int target, long expiresAt) {
    String guestId = guestCart.owner().cartId();
    String userId = userCart.owner().cartId();
    return Scripts.HOLD_TRANSFER.call(
        redis,
        List.of(
            RedisKeys.sku(sku),
            RedisKeys.skuHolds(sku),
            RedisKeys.skuHoldMarker(sku, guestId),
            RedisKeys.skuHoldMarker(sku, userId),
            RedisKeys.skuExpiry(sku)),
        List.of(guestId, userId, target, expiresAt));
  }

  private Future<Result> write(
      Owner user,
      Cart guestCart,
      Cart userCart,
      List<Planned> plan,
      io.vertx.core.CompositeFuture held,
      long now,
      long expiresAt,
      Long ifMatch,
      int attempt) {
    // The guest's currency only names a cart that has none yet; lines in another are dropped.
    String currency = userCart.currency() == null ? nullToEmpty(guestCart.currency()) : "";
    List<Object> args = new ArrayList<>(List.of(userCart.version(), now, currency));
    JsonArray report = new JsonArray();
    JsonArray warnings = new JsonArray();
    for (int i = 0; i < plan.size(); i++) {
      Planned p = plan.get(i);
      int holds = held.<ScriptReply>resultAt(i).get(0).toInteger();
      report.add(
          new JsonObject()
              .put("sku", p.guest().sku())
              .put("guestQuantity", p.guest().quantity())
              .put("userQuantity", p.user() == null ? 0 : p.user().quantity())
              .put("result", p.result()));
      if (p.result().startsWith("dropped_")) {
        warnings.add(
            new JsonObject()
                .put("code", "dropped_at_merge")
                .put("sku", p.guest().sku())
                .put(
                    "detail",
                    p.result().equals("dropped_cart_full")
                        ? "the cart already has " + limits.maxLines() + " lines"
                        : "the guest line is in "
                            + guestCart.currency()
                            + ", the cart in "
                            + userCart.currency()));
        continue;
      }
      if (holds < p.target()) {
        warnings.add(
            new JsonObject()
                .put("code", "out_of_stock_at_merge")
                .put("sku", p.guest().sku())
                .put("detail", "holding " + holds + " of " + p.quantity() + "; not enough stock"));
      }
      JsonObject variant =
          p.user() != null && p.user().variant() != null ? p.user().variant() : p.guest().variant();
      long addedAt =
          p.user() == null
              ? p.guest().addedAt()
              : Math.min(p.user().addedAt(), p.guest().addedAt());
      args.addAll(
          List.of(
              p.guest().sku(),
              p.quantity(),
              p.price(),
              addedAt,
              holds,
              expiresAt,
              variant == null ? "" : variant.encode()));
    }
    String userId = user.cartId();
    String guestId = guestCart.owner().cartId();
    return Scripts.CART_MERGE
        .call(
            redis,
            List.of(RedisKeys.cart(userId), RedisKeys.cartMergeRecord(userId, guestId)),
            args)
        .compose(
            reply -> {
              String status = reply.get(0).toString();
              if (status.equals("moved")) {
                if (attempt >= MAX_ATTEMPTS) {
                  return Future.failedFuture(
                      new CartException(
                          CartException.Reason.IN_PROGRESS,
                          "the cart kept changing during the merge"));
                }
                return attempt(user, guestCart, ifMatch, attempt + 1);
              }
              return Scripts.CART_RETIRE
                  .call(
                      redis,
                      List.of(RedisKeys.cart(guestId), RedisKeys.cartMergedInto(guestId)),
                      List.of(userId, now))
                  .compose(retired -> activity.changed(Cart.empty(guestCart.owner())))
                  .compose(retired -> carts.read(user))
                  .compose(activity::changed)
                  .map(cart -> new Result(cart, report, warnings));
            });
  }

  private static String nullToEmpty(String text) {
    return text == null ? "" : text;
  }
}
