package com.cartgateway.reconcile;

import com.cartgateway.cart.Cart;
import com.cartgateway.cart.CartActivity;
import com.cartgateway.commerce.CartLine;
import com.cartgateway.commerce.Money;
import com.cartgateway.events.EventPublisher;
import com.cartgateway.events.Topics;
import com.cartgateway.identity.Owner;
import com.cartgateway.store.IdleIndex;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.ScriptReply;
import com.cartgateway.store.Scripts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;

/**
 * Finds carts idle past the threshold through the sharded idle index (cart ids scored by their last
 * change by the shopper; no scan over all keys, and it lives in Redis, so it survives any restart)
 * and reports each idle period on {@code cart.abandoned}: the cart's own script claims the report,
 * the event is written, the claim becomes the report, and only then does the cart leave the index.
 * A failed write gives the claim back; a claim whose sweep died before the write expires after a
 * lease, and the next sweep takes it over. So every idle period is reported at least once, and
 * exactly once unless a sweep stalls for longer than the lease. A recovery whose announcement was
 * refused earlier is announced before the next report. Each tick also samples {@code
 * cart_active_carts} ({@link ActiveCarts}), even while a sweep is still going.
 */
public final class AbandonmentSweeper implements Sweep {
  private static final Logger LOG = Logger.getLogger(AbandonmentSweeper.class.getName());
  private static final int PAGE = 200;

  private final RedisGateway redis;
  private final EventPublisher events;
  private final CartActivity activity;
  private final Duration idleAfter;
  private final Duration claimLease;
  private final Clock clock;
  private final Counter abandoned;
  private final ActiveCarts active;

  /**
   * @param redis the verticle's Redis client
   * @param events where cart.abandoned goes
   * @param activity announces recoveries that are still pending
   * @param idleAfter how long without a change by the shopper makes a cart abandoned
   * @param claimLease how long a claim keeps other sweeps off; longer than any write of the event
   * @param clock the time source
   * @param registry where reports are counted and the active carts gauged
   */
  public AbandonmentSweeper(
      RedisGateway redis,
      EventPublisher events,
      CartActivity activity,
      Duration idleAfter,
      Duration claimLease,
      Clock clock,
      MeterRegistry registry) {
    this.redis = redis;
    this.events = events;
    this.activity = activity;
    this.idleAfter = idleAfter;
    this.claimLease = claimLease;
    this.clock = clock;
    this.abandoned =
        Counter.builder("cart_abandoned")
            .description("Idle periods reported on cart.abandoned")
            .register(registry);
    this.active = new ActiveCarts(redis, registry);
  }

  @Override
  public Future<?> run() {
    return sweep();
  }

  @Override
  public void tick() {
    active.sample().onFailure(e -> LOG.fine("active carts not sampled: " + e));
  }

  /** Sweeps every shard once; returns how many carts were reported. */
  public Future<Integer> sweep() {
    Future<Integer> chain = Future.succeededFuture(0);
    for (int shard = 0; shard < RedisKeys.IDLE_SHARDS; shard++) {
      String key = RedisKeys.idleShard(shard);
      chain = chain.compose(sum -> sweepShard(key).map(n -> sum + n));
    }
    return chain;
  }

  private Future<Integer> sweepShard(String shard) {
    long idleSince = clock.millis() - idleAfter.toMillis();
    return IdleIndex.due(redis, shard, idleSince, PAGE)
        .compose(
            due -> {
              Future<Integer> chain = Future.succeededFuture(0);
              for (IdleIndex.Entry entry : due) {
                String cartId = entry.cartId();
                String score = entry.score();
                chain =
                    chain.compose(
                        sum -> examine(shard, cartId, score, idleSince).map(n -> sum + n));
              }
              return chain;
            });
  }

  private Future<Integer> examine(String shard, String cartId, String score, long idleSince) {
    return Scripts.CART_ABANDON
        .call(
            redis,
            List.of(RedisKeys.cart(cartId)),
            List.of("claim", idleSince, clock.millis(), claimLease.toMillis()))
        .compose(
            reply ->
                switch (reply.get(0).toString()) {
                  case "claimed" -> report(shard, cartId, score, reply);
                  case "active" ->
                      // the index was behind the cart: move it to the real last change
                      IdleIndex.put(redis, shard, reply.get(1).toString(), cartId).map(0);
                    // another sweep is writing the event: the cart stays in the index, so that
                    // its claim is taken over if that sweep dies
                  case "pending" -> Future.succeededFuture(0);
                  default -> forget(shard, cartId, score).map(0);
                });
  }

  private Future<Integer> report(String shard, String cartId, String score, ScriptReply reply) {
    String since = reply.get(1).toString();
    String claim = reply.get(2).toString();
    Cart cart = Cart.fromHash(owner(cartId), reply.get(3).toMap());
    List<Object> release = List.of("release", claim);
    // A recovery from the previous report still unannounced goes first, so that consumers see
    // abandoned, recovered, abandoned.
    return activity
        .announceRecovery(cart)
        .compose(
            ignored -> events.publish(Topics.ABANDONED, cartId, event(cart, Long.parseLong(since))))
        .compose(
            written -> {
              abandoned.increment();
              return Scripts.CART_ABANDON
                  .call(redis, List.of(RedisKeys.cart(cartId)), List.of("done", claim))
                  .compose(
                      done ->
                          // a claim taken over meanwhile keeps the cart in the index for its
                          // new owner
                          "reported".equals(done.get(0).toString())
                              ? forget(shard, cartId, score).map(1)
                              : Future.succeededFuture(1));
            },
            failed ->
                Scripts.CART_ABANDON
                    .call(redis, List.of(RedisKeys.cart(cartId)), release)
                    .transform(ignored -> Future.failedFuture(failed)));
  }

  private Future<Void> forget(String shard, String cartId, String score) {
    return Scripts.IDLE_FORGET.call(redis, List.of(shard), List.of(cartId, score)).mapEmpty();
  }

  private static Owner owner(String cartId) {
    String id = cartId.substring(2);
    return cartId.startsWith("u:") ? Owner.user(id) : Owner.guest(id);
  }

  private static JsonObject event(Cart cart, long idleSince) {
    JsonArray items = new JsonArray();
    for (CartLine line : cart.lines()) {
      items.add(
          new JsonObject()
              .put("sku", line.sku())
              .put("quantity", line.quantity())
              .put("unitPrice", Money.format(line.unitPrice(), cart.currency()))
              .put("variant", line.variant()));
    }
    return new JsonObject()
        .put("cartId", cart.owner().cartId())
        .put(
            "owner", new JsonObject().put("type", cart.owner().type()).put("id", cart.owner().id()))
        .put("version", cart.version())
        .put("items", items)
        .put("subtotal", Money.subtotalText(cart.lines(), cart.currency()))
        .put("currency", cart.currency())
        .put("idleSince", Instant.ofEpochMilli(idleSince).toString());
  }
}
