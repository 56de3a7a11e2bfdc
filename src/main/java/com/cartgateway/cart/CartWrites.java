package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.commerce.CartException.Reason;
import com.cartgateway.identity.Owner;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.ScriptReply;
import com.cartgateway.store.Scripts;
import com.cartgateway.store.StoreUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The line writes of carts in Redis: each is one script on the cart's slot that checks, applies,
 * bumps the version and returns the new state in one round trip; a refusal becomes a {@link
 * CartException} saying why.
 */
public final class CartWrites {
  private final RedisGateway redis;

  /**
   * @param redis the verticle's Redis client, telling its near cache of every cart it changes
   */
  public CartWrites(RedisGateway redis) {
    this.redis = redis;
  }

  /** The units of a new or existing line, already held on the SKU. */
  public record Addition(
      String sku,
      int quantity,
      long unitPrice,
      String currency,
      JsonObject variant,
      int held,
      long holdExpiresAt) {}

  /**
   * Adds units to a line (creating it). Fails with CART_FULL, VERSION_CONFLICT, ...
   *
   * @param existing whether the caller found the cart in Redis (or brought it back): if it is gone
   *     when the script runs, Redis lost its data in between, and the add fails as unavailable
   *     instead of starting the cart afresh over its durable copy (the hold taken for it lapses)
   */
  public Future<Cart> add(
      Owner owner,
      Addition a,
      CartStore.Limits limits,
      Long ifMatch,
      String opId,
      long now,
      boolean existing) {
    String cartId = owner.cartId();
    return Scripts.CART_ADD
        .call(
            redis,
            List.of(RedisKeys.cart(cartId), RedisKeys.cartOp(cartId, opId)),
            List.of(
                a.sku(),
                a.quantity(),
                a.unitPrice(),
                a.currency(),
                a.variant() == null ? "" : a.variant().encode(),
                a.held(),
                a.holdExpiresAt(),
                now,
                ifMatch == null ? "" : ifMatch,
                limits.maxLines(),
                limits.maxQuantity(),
                existing ? "1" : "0"))
        .map(
            reply ->
                switch (reply.get(0).toString()) {
                  case "ok" -> CartStore.cart(owner, reply.get(2));
                  case "vanished" -> throw vanished("add");
                  case "version_conflict" -> throw versionConflict(reply);
                  case "cart_full" ->
                      throw new CartException(
                          Reason.CART_FULL,
                          "a cart holds at most " + limits.maxLines() + " distinct lines");
                  case "quantity_limit" ->
                      throw new CartException(
                          Reason.VALIDATION_FAILED,
                          "the line for "
                              + a.sku()
                              + " has "
                              + reply.get(1).toInteger()
                              + "; a line holds at most "
                              + limits.maxQuantity(),
                          new JsonObject().put("quantity", reply.get(1).toInteger()));
                  case "currency_mismatch" ->
                      throw new CartException(
                          Reason.VALIDATION_FAILED,
                          a.sku()
                              + " is sold in "
                              + a.currency()
                              + " but the cart is in "
                              + reply.get(1).toString());
                  default -> throw CartStore.unexpected(reply);
                });
  }

  /** What {@link #set} found. */
  public sealed interface SetOutcome {
    /** Applied. */
    record Applied(Cart cart) implements SetOutcome {}

    /** A concurrent write changed the line after the caller read it; nothing applied. */
    record Moved(int quantity) implements SetOutcome {}
  }

  /** Sets a line's quantity if it still has the quantity the caller read. */
  public Future<SetOutcome> set(
      Owner owner,
      String sku,
      int quantity,
      int readQuantity,
      int heldDelta,
      long holdExpiresAt,
      Long ifMatch,
      String opId,
      long now) {
    String cartId = owner.cartId();
    return Scripts.CART_SET
        .call(
            redis,
            List.of(RedisKeys.cart(cartId), RedisKeys.cartOp(cartId, opId)),
            List.of(
                sku,
                quantity,
                readQuantity,
                heldDelta,
                holdExpiresAt,
                now,
                ifMatch == null ? "" : ifMatch))
        .map(
            reply ->
                switch (reply.get(0).toString()) {
                  case "ok" -> new SetOutcome.Applied(CartStore.cart(owner, reply.get(2)));
                  case "moved" -> new SetOutcome.Moved(reply.get(1).toInteger());
                  case "version_conflict" -> throw versionConflict(reply);
                  case "line_not_found" -> throw lineNotFound(sku);
                  case "vanished" -> throw vanished("set");
                  default -> throw CartStore.unexpected(reply);
                });
  }

  /** A removal: the cart after it, and the units the removed line held. */
  public record Removal(Cart cart, Map<String, Integer> released) {}

  /**
   * Removes a line; removing an absent line changes nothing.
   *
   * @param existing as for {@link #add}
   */
  public Future<Removal> remove(Owner owner, String sku, Long ifMatch, long now, boolean existing) {
    return Scripts.CART_REMOVE
        .call(
            redis,
            List.of(RedisKeys.cart(owner.cartId())),
            List.of(sku, now, ifMatch == null ? "" : ifMatch, existing ? "1" : "0"))
        .map(
            reply ->
                switch (reply.get(0).toString()) {
                  case "ok" ->
                      new Removal(
                          CartStore.cart(owner, reply.get(2)),
                          Map.of(sku, reply.get(1).toInteger()));
                  case "version_conflict" -> throw versionConflict(reply);
                  case "vanished" -> throw vanished("removal");
                  default -> throw CartStore.unexpected(reply);
                });
  }

  /**
   * Removes every line.
   *
   * @param existing as for {@link #add}
   */
  public Future<Removal> clear(Owner owner, Long ifMatch, long now, boolean existing) {
    return Scripts.CART_CLEAR
        .call(
            redis,
            List.of(RedisKeys.cart(owner.cartId())),
            List.of(now, ifMatch == null ? "" : ifMatch, existing ? "1" : "0"))
        .map(
            reply ->
                switch (reply.get(0).toString()) {
                  case "ok" -> {
                    Map<String, Integer> released = new LinkedHashMap<>();
                    ScriptReply pairs = reply.get(1);
                    for (int i = 0; i + 1 < pairs.size(); i += 2) {
                      released.put(pairs.get(i).toString(), pairs.get(i + 1).toInteger());
                    }
                    yield new Removal(CartStore.cart(owner, reply.get(2)), released);
                  }
                  case "version_conflict" -> throw versionConflict(reply);
                  case "vanished" -> throw vanished("clear");
                  default -> throw CartStore.unexpected(reply);
                });
  }

  static CartException lineNotFound(String sku) {
    return new CartException(Reason.LINE_NOT_FOUND, "the cart has no line for " + sku);
  }

  private static CartException versionConflict(ScriptReply reply) {
    return CartException.versionConflict(reply.get(1).toLong());
  }

  /** The cart the write found is gone: Redis lost its data in between; the client retries. */
  private static StoreUnavailableException vanished(String write) {
    return new StoreUnavailableException(
        "redis", new IllegalStateException("the cart left Redis during the " + write));
  }
}
