package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.config.MergePolicy;
import com.cartgateway.identity.IdentityException;
import com.cartgateway.identity.Owner;
import com.cartgateway.store.RedisGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
  private static final int MAX_ATTEMPTS = 5;

  /**
   * The outcome of a merge.
   *
   * @param cart the shopper's cart after it
   * @param report one entry per guest line: {sku, guestQuantity, userQuantity, result}
   * @param warnings what the shopper should know (lines that could not be held)
   */
  private record Result(Cart cart, JsonArray report, JsonArray warnings) {}

  private final CartStore carts;
  private final MergeStore store;
  private final CartStore.Limits limits;
  private final Duration holdTtl;
  private final MergePolicy policy;
  private final Clock clock;
  private final CartActivity activity;
  private final CartJournal journal;
  private final CartReads reads;

  /**
   * @param vertx for the lease's polling timer
   * @param carts the cart store
   * @param redis the verticle's Redis client
   * @param limits the cart limits (lines, units a line, hold cap)
   * @param holdTtl the hold lifetime
   * @param policy how a SKU in both carts is resolved
   * @param clock the time source
   * @param activity what follows the changes of both carts
   * @param journal what makes both carts' changes durable before the merge is acknowledged
   * @param reads what renders the shopper's cart in the answer
   */
  public Merge(
      Vertx vertx,
      CartStore carts,
      RedisGateway redis,
      CartStore.Limits limits,
      Duration holdTtl,
      MergePolicy policy,
      Clock clock,
      CartActivity activity,
      CartJournal journal,
      CartReads reads) {
    this.reads = reads;
    this.carts = carts;
    this.store = new MergeStore(vertx, redis);
    this.limits = limits;
    this.holdTtl = holdTtl;
    this.policy = policy;
    this.clock = clock;
    this.activity = activity;
    this.journal = journal;
  }

  /**
   * Merges the guest's cart into the user's cart; answers with the user's cart, its warnings joined
   * by the lines that could not be held, and the {@code merge} report.
   */
  public Future<CartAnswer> merge(Owner user, Owner guest, Long ifMatch) {
    return merged(user, guest, ifMatch)
        .compose(
            result ->
                reads
                    .render(result.cart())
                    .map(
                        body -> {
                          body.getJsonArray("warnings").addAll(result.warnings());
                          body.put("merge", result.report());
                          return new CartAnswer(result.cart(), false, body.toBuffer());
                        }));
  }

  private Future<Result> merged(Owner user, Owner guest, Long ifMatch) {
    return journal.recordAll(
        List.of(user.cartId(), guest.cartId()),
        () -> store.leased(guest.cartId(), () -> mergeLeased(user, guest, ifMatch)),
        // the guest's tombstone (or whatever it is now) and the shopper's merged cart
        result ->
            carts
                .read(guest)
                .map(
                    guestCart ->
                        Stream.of(guestCart, result.cart()).filter(c -> c.version() > 0).toList()));
  }

  private Future<Result> mergeLeased(Owner user, Owner guest, Long ifMatch) {
    return store
        .mergedInto(guest.cartId())
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

  /**
   * Plans the merge on the shopper's cart as it is now, moves the holds, then writes the merged
   * lines; when the shopper's cart moved meanwhile, plans again (the transfers are absolute, so
   * repeating them is safe).
   */
  private Future<Result> attempt(Owner user, Cart guestCart, Long ifMatch, int attempt) {
    return carts
        .read(user)
        .compose(userCart -> userCart.matching(ifMatch))
        .compose(
            userCart -> {
              List<MergePlan.Line> plan = MergePlan.of(guestCart, userCart, limits, policy);
              long now = clock.millis();
              long expiresAt = now + holdTtl.toMillis();
              String guestId = guestCart.owner().cartId();
              String userId = userCart.owner().cartId();
              List<Future<Integer>> transfers = new ArrayList<>(plan.size());
              for (MergePlan.Line p : plan) {
                transfers.add(
                    store.transfer(p.guest().sku(), guestId, userId, p.target(), expiresAt));
              }
              return Future.all(transfers)
                  .compose(
                      all -> {
                        List<Integer> held = all.list();
                        return store
                            .write(guestCart, userCart, plan, held, now, expiresAt)
                            .compose(
                                written ->
                                    written
                                        ? retire(user, guestCart, now)
                                            .map(
                                                cart ->
                                                    new Result(
                                                        cart,
                                                        MergeReport.report(plan),
                                                        MergeReport.warnings(
                                                            plan, held, guestCart, userCart,
                                                            limits)))
                                        : again(user, guestCart, ifMatch, attempt));
                      });
            });
  }

  private Future<Result> again(Owner user, Cart guestCart, Long ifMatch, int attempt) {
    if (attempt >= MAX_ATTEMPTS) {
      return Future.failedFuture(
          new CartException(
              CartException.Reason.IN_PROGRESS, "the cart kept changing during the merge"));
    }
    return attempt(user, guestCart, ifMatch, attempt + 1);
  }

  /** Retires the guest cart; completes with the shopper's cart after the merge. */
  private Future<Cart> retire(Owner user, Cart guestCart, long now) {
    return store
        .retire(guestCart.owner().cartId(), user.cartId(), now)
        .compose(retired -> activity.changed(Cart.empty(guestCart.owner())))
        .compose(retired -> carts.read(user))
        .compose(activity::changed);
  }
}
