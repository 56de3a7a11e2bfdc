package com.cartgateway.cart;

import com.cartgateway.identity.Owner;
import com.cartgateway.inventory.HoldLimit;
import com.cartgateway.store.CartRecords;
import com.cartgateway.store.NearCache;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.ScriptReply;
import com.cartgateway.store.Scripts;
import com.cartgateway.store.TokenBucket;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Carts as Redis has them: a read is one HGETALL (with the reader's rate-limit token, one script),
 * served from the near cache while Redis says the cart has not changed; a write's first step takes
 * its token and reads the cart in one round trip. The writes themselves are {@link CartWrites}.
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

  /**
   * Limits of one cart.
   *
   * @param maxLines distinct lines
   * @param maxQuantity units a line
   * @param holdCap units of one SKU a cart may hold (more is accepted, but held only at checkout)
   * @param clientHoldCap units of one SKU the carts of one client address may hold together (0: no
   *     such cap)
   */
  public record Limits(int maxLines, int maxQuantity, int holdCap, int clientHoldCap) {

    /** The limit of a hold the client at this address asked for. */
    HoldLimit holdFor(String client) {
      return new HoldLimit(holdCap, client, clientHoldCap);
    }
  }

  static Cart cart(Owner owner, ScriptReply flat) {
    return Cart.fromHash(owner, hash(flat));
  }

  private static Map<String, String> hash(ScriptReply flat) {
    return flat == null ? new HashMap<>() : flat.toMap();
  }

  static IllegalStateException unexpected(ScriptReply reply) {
    return new IllegalStateException("unexpected script reply " + reply);
  }
}
