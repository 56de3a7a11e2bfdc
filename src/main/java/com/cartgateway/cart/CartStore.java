package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.commerce.CartException.Reason;
import com.cartgateway.identity.Owner;
import com.cartgateway.store.CartRecords;
import com.cartgateway.store.NearCache;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.ScriptReply;
import com.cartgateway.store.Scripts;
import com.cartgateway.store.StoreUnavailableException;
import com.cartgateway.store.TokenBucket;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Carts in Redis: a read is one HGETALL (with the reader's rate-limit token, one script), a write
 * is one script on the cart's slot that checks, applies, bumps the version and returns the new
 * state in one round trip.
 */
public final class CartStore {
  /** The version a caller "knows" when it asks for the cart as Redis has it, not a kept copy. */
  public static final long FROM_REDIS = Long.MAX_VALUE;

  private final RedisGateway redis;
  private final NearCache<Cart> near;
  private final CartMetrics metrics;

  /**
   * A store that serves no client's read ({@link #view} counts its reads nowhere).
   *
   * @param redis the verticle's Redis client
   */
  public CartStore(RedisGateway redis) {
    // A composite registry without registries makes meters that record nothing.
    this(redis, NearCache.off(), new CartMetrics(new CompositeMeterRegistry()));
  }

  /**
   * @param redis the verticle's Redis client, telling {@code near} of every cart it changes
   * @param near the process's copies of carts, for {@link #view}
   * @param metrics where {@link #view} counts reads by source
   */
  public CartStore(RedisGateway redis, NearCache<Cart> near, CartMetrics metrics) {
    this.redis = redis;
    this.near = near;
    this.metrics = metrics;
  }

  /** The owner's cart as Redis has it now; a cart never written is an empty cart at version 0. */
  public Future<Cart> read(Owner owner) {
    return CartRecords.read(redis, owner.cartId()).map(hash -> Cart.fromHash(owner, hash));
  }

  /**
   * The owner's cart for a client's read: from the near cache while Redis says it has not changed
   * (spending a token leased from the reader's bucket), else from Redis in one round trip, which
   * also takes the reader's token. Fails with {@link TokenBucket.EmptyException}, reading nothing,
   * when the bucket is empty.
   *
   * @param bucket on the cart's slot ({@link RedisKeys#rateLimit} of the cart id), or null for a
   *     read that is not limited
   * @param atLeastVersion a version the caller knows the cart reached (its own last write's ETag):
   *     a kept copy older than that is not served; {@link #FROM_REDIS} to read Redis
   */
  public Future<Cart> view(Owner owner, TokenBucket bucket, long atLeastVersion, long nowMillis) {
    String key = RedisKeys.cart(owner.cartId());
    Cart kept = near.hit(key, bucket != null, nowMillis, c -> c.version() >= atLeastVersion);
    if (kept != null) {
      metrics.readFromNearCache();
      return Future.succeededFuture(kept);
    }
    // A read that asks Redis itself leaves the kept copy, and the tokens leased with it, alone:
    // leasing again on every such read would drain the reader's bucket sixteen times as fast.
    NearCache.Ticket<Cart> ticket =
        atLeastVersion == FROM_REDIS ? null : near.begin(key, nowMillis);
    Future<Viewed> read =
        bucket == null
            ? read(owner).map(cart -> new Viewed(cart, 0))
            : Scripts.CART_READ
                .call(
                    redis,
                    List.of(key, bucket.key()),
                    List.of(
                        bucket.rate(),
                        bucket.burst(),
                        bucket.nowMillis(),
                        ticket == null ? 1 : NearCache.LEASE_TOKENS))
                .compose(
                    reply ->
                        reply.get(0).toInteger() == 1
                            ? Future.succeededFuture(
                                new Viewed(
                                    cart(owner, reply.get(2)),
                                    Math.max(0, reply.get(1).toInteger() - 1)))
                            : Future.failedFuture(
                                new TokenBucket.EmptyException(reply.get(1).toLong())));
    return read.map(
        viewed -> {
          // A cart Redis lacks (version 0) is not kept: its reader asks DynamoDB next.
          if (viewed.cart().version() > 0) {
            metrics.readFromRedis();
            if (ticket != null) {
              near.fill(ticket, viewed.cart(), viewed.leased(), nowMillis);
            }
          }
          return viewed.cart();
        });
  }

  /** A cart read from Redis, and the tokens its read took beyond its own. */
  private record Viewed(Cart cart, int leased) {}

  /**
   * What {@link #begin} found.
   *
   * @param cart the cart as stored, if Redis has it
   */
  public record Begun(Optional<Cart> cart) {}

  /**
   * The first step of a write on the cart's slot, in one round trip: takes a token from the
   * writer's bucket and reads the cart if Redis has it; fails with {@link
   * TokenBucket.EmptyException}, reading nothing, when the bucket is empty.
   *
   * @param bucket on the cart's slot ({@link RedisKeys#rateLimit} of the cart id), or null when the
   *     caller took its token already or writes are not limited
   */
  public Future<Begun> begin(Owner owner, TokenBucket bucket) {
    String cartId = owner.cartId();
    return Scripts.CART_BEGIN
        .call(
            redis,
            List.of(
                RedisKeys.cart(cartId),
                bucket == null ? RedisKeys.rateLimit(cartId, "writes") : bucket.key()),
            bucket == null
                ? List.of(0, 0, 0)
                : List.of(bucket.rate(), bucket.burst(), bucket.nowMillis()))
        .compose(
            reply -> {
              if (reply.get(0).toInteger() == 0) {
                return Future.failedFuture(new TokenBucket.EmptyException(reply.get(1).toLong()));
              }
              return Future.succeededFuture(
                  new Begun(
                      reply.get(2).toInteger() == 1
                          ? Optional.of(Cart.fromHash(owner, hash(reply.get(3))))
                          : Optional.empty()));
            });
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
      Limits limits,
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
                  case "ok" -> cart(owner, reply.get(2));
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
                  default -> throw unexpected(reply);
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
                  case "ok" -> new SetOutcome.Applied(cart(owner, reply.get(2)));
                  case "moved" -> new SetOutcome.Moved(reply.get(1).toInteger());
                  case "version_conflict" -> throw versionConflict(reply);
                  case "line_not_found" -> throw lineNotFound(sku);
                  case "vanished" -> throw vanished("set");
                  default -> throw unexpected(reply);
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
                      new Removal(cart(owner, reply.get(2)), Map.of(sku, reply.get(1).toInteger()));
                  case "version_conflict" -> throw versionConflict(reply);
                  case "vanished" -> throw vanished("removal");
                  default -> throw unexpected(reply);
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
                    yield new Removal(cart(owner, reply.get(2)), released);
                  }
                  case "version_conflict" -> throw versionConflict(reply);
                  case "vanished" -> throw vanished("clear");
                  default -> throw unexpected(reply);
                });
  }

  /** What {@link #checkout} found. */
  public sealed interface CheckoutOutcome {
    /** Committed now: the cart is empty. */
    record Committed(Cart cart) implements CheckoutOutcome {}

    /** The cart changed since the order was computed; nothing applied. */
    record Moved(long version) implements CheckoutOutcome {}

    /** This order was committed before (a retry); its stored JSON. */
    record AlreadyPlaced(String order) implements CheckoutOutcome {}
  }

  /** Empties the cart for an order, if the cart is still at the version the order came from. */
  public Future<CheckoutOutcome> checkout(
      Owner owner, long version, String orderId, String orderJson, long now) {
    String cartId = owner.cartId();
    return Scripts.CART_CHECKOUT
        .call(
            redis,
            List.of(RedisKeys.cart(cartId), RedisKeys.cartOrder(cartId, orderId)),
            List.of(version, now, orderJson))
        .map(
            reply ->
                switch (reply.get(0).toString()) {
                  case "ok" -> new CheckoutOutcome.Committed(cart(owner, reply.get(1)));
                  case "moved" -> new CheckoutOutcome.Moved(reply.get(1).toLong());
                  case "placed" -> new CheckoutOutcome.AlreadyPlaced(reply.get(1).toString());
                  default -> throw unexpected(reply);
                });
  }

  /** The stored JSON of an order placed from this cart, if any. */
  public Future<Optional<String>> order(Owner owner, String orderId) {
    return CartRecords.order(redis, owner.cartId(), orderId);
  }

  /**
   * Limits of one cart.
   *
   * @param maxLines distinct lines
   * @param maxQuantity units a line
   * @param holdCap units of one SKU a cart may hold (more is accepted, but held only at checkout)
   */
  public record Limits(int maxLines, int maxQuantity, int holdCap) {}

  static CartException lineNotFound(String sku) {
    return new CartException(Reason.LINE_NOT_FOUND, "the cart has no line for " + sku);
  }

  private static CartException versionConflict(ScriptReply reply) {
    return CartException.versionConflict(reply.get(1).toLong());
  }

  private static Cart cart(Owner owner, ScriptReply flat) {
    return Cart.fromHash(owner, hash(flat));
  }

  private static Map<String, String> hash(ScriptReply flat) {
    return flat == null ? new HashMap<>() : flat.toMap();
  }

  /** The cart the write found is gone: Redis lost its data in between; the client retries. */
  private static StoreUnavailableException vanished(String write) {
    return new StoreUnavailableException(
        "redis", new IllegalStateException("the cart left Redis during the " + write));
  }

  private static IllegalStateException unexpected(ScriptReply reply) {
    return new IllegalStateException("unexpected script reply " + reply);
  }
}
