package com.cartgateway.http;

import com.cartgateway.cart.CartReads;
import com.cartgateway.cart.CartService;
import com.cartgateway.cart.Checkout;
import com.cartgateway.cart.Merge;
import com.cartgateway.store.TokenBucket;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The cart routes: each parses its request, then makes its one call into the cart domain, through
 * the {@link WritePipeline} for a write.
 */
final class CartHandlers {
  static final String STALE_HEADER = "X-Cart-Stale";
  private static final CharSequence STALE = HttpHeaders.createOptimized("true");
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");

  private final CartService carts;
  private final CartReads reads;
  private final Checkout checkout;
  private final Merge merge;
  private final Callers callers;
  private final RateLimiter limiter;
  private final WritePipeline writes;
  private final int maxQuantity;

  CartHandlers(
      CartService carts,
      CartReads reads,
      Checkout checkout,
      Merge merge,
      Callers callers,
      RateLimiter limiter,
      WritePipeline writes,
      int maxQuantity) {
    this.carts = carts;
    this.reads = reads;
    this.checkout = checkout;
    this.merge = merge;
    this.callers = callers;
    this.limiter = limiter;
    this.writes = writes;
    this.maxQuantity = maxQuantity;
  }

  void get(RoutingContext ctx) {
    callers
        .reader(ctx)
        .compose(
            owner -> {
              // One round trip: the token is taken by the script that reads the cart.
              TokenBucket bucket = limiter.bucket(owner.cartId(), RateLimiter.Kind.READS);
              return reads
                  .read(
                      owner,
                      bucket,
                      Requests.knownVersion(ctx),
                      version -> Requests.noneMatchHits(ctx, version))
                  .recover(e -> limiter.refused(RateLimiter.Kind.READS, bucket, e));
            })
        .compose(
            answer -> {
              if (answer.stale()) {
                // Not the cart at that version (no holds, maybe behind): no ETag to keep it under,
                // so no 304 either; the body's version still says which copy this is.
                ctx.response().putHeader(STALE_HEADER, STALE);
              } else {
                ctx.response().putHeader(HttpHeaders.ETAG, Requests.etag(answer.cart().version()));
              }
              if (answer.notModified()) {
                ctx.response().setStatusCode(304);
                return ctx.response().end();
              }
              return ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(answer.body());
            })
        .onFailure(ctx::fail);
  }

  void add(RoutingContext ctx) {
    String key;
    String sku;
    int quantity;
    JsonObject variant;
    Long ifMatch;
    try {
      key = Requests.idempotencyKey(ctx);
      JsonObject body = Requests.object(ctx, true);
      sku = Requests.sku(body.getValue("sku"), "sku");
      quantity = Requests.quantity(body, maxQuantity);
      variant = Requests.variant(body);
      ifMatch = Requests.ifMatch(ctx);
    } catch (ApiError e) {
      ctx.fail(e);
      return;
    }
    writes.cart(
        ctx,
        key,
        (owner, bucket) ->
            carts.add(
                owner, bucket, sku, quantity, variant, ifMatch, key, Requests.clientAddress(ctx)));
  }

  void set(RoutingContext ctx) {
    String sku;
    int quantity;
    Long ifMatch;
    String key;
    try {
      sku = Requests.sku(ctx.pathParam("sku"), "sku");
      quantity = Requests.quantity(Requests.object(ctx, true), maxQuantity);
      ifMatch = Requests.ifMatch(ctx);
      key = Requests.idempotencyKey(ctx);
    } catch (ApiError e) {
      ctx.fail(e);
      return;
    }
    writes.cart(
        ctx,
        key,
        (owner, bucket) ->
            carts.set(owner, bucket, sku, quantity, ifMatch, Requests.clientAddress(ctx)));
  }

  void remove(RoutingContext ctx) {
    String sku;
    Long ifMatch;
    String key;
    try {
      sku = Requests.sku(ctx.pathParam("sku"), "sku");
      ifMatch = Requests.ifMatch(ctx);
      key = Requests.idempotencyKey(ctx);
    } catch (ApiError e) {
      ctx.fail(e);
      return;
    }
    writes.cart(ctx, key, (owner, bucket) -> carts.remove(owner, bucket, sku, ifMatch));
  }

  void clear(RoutingContext ctx) {
    Long ifMatch;
    String key;
    try {
      ifMatch = Requests.ifMatch(ctx);
      key = Requests.idempotencyKey(ctx);
    } catch (ApiError e) {
      ctx.fail(e);
      return;
    }
    writes.cart(ctx, key, (owner, bucket) -> carts.clear(owner, bucket, ifMatch));
  }

  void checkout(RoutingContext ctx) {
    String key;
    boolean accept;
    Long ifMatch;
    try {
      ifMatch = Requests.ifMatch(ctx);
      key = Requests.idempotencyKey(ctx);
      if (key == null) {
        throw ApiError.invalid(
            Requests.IDEMPOTENCY_KEY, "checkout needs an Idempotency-Key header");
      }
      Object flag = Requests.object(ctx, false).getValue("acceptPriceChanges");
      if (flag != null && !(flag instanceof Boolean)) {
        throw ApiError.invalid("acceptPriceChanges", "must be true or false");
      }
      accept = Boolean.TRUE.equals(flag);
    } catch (ApiError e) {
      ctx.fail(e);
      return;
    }
    writes
        .admit(ctx, callers.writer(ctx))
        .compose(
            owner ->
                writes.once(
                    ctx,
                    owner,
                    key,
                    () ->
                        checkout
                            .place(owner, key, accept, ifMatch)
                            .map(order -> new WritePipeline.Answer(201, order.toBuffer(), null))))
        .onFailure(ctx::fail);
  }

  /**
   * Merges a guest cart into the signed-in shopper's cart: the user token is required, and the
   * guest session comes from the body, else the header, else the cookie.
   */
  void merge(RoutingContext ctx) {
    String key;
    String session;
    Long ifMatch;
    try {
      key = Requests.idempotencyKey(ctx);
      ifMatch = Requests.ifMatch(ctx);
      Object fromBody = Requests.object(ctx, false).getValue("guestSession");
      if (fromBody != null && !(fromBody instanceof String)) {
        throw ApiError.invalid("guestSession", "must be a cart session id");
      }
      session = fromBody != null ? (String) fromBody : Callers.guestSession(ctx);
      if (session == null) {
        throw ApiError.invalid("guestSession", "send the guest session to merge");
      }
    } catch (ApiError e) {
      ctx.fail(e);
      return;
    }
    Callers.forgetGuestOnSuccess(ctx);
    writes
        .admit(ctx, callers.shopper(ctx))
        .compose(
            owner ->
                // The guest is checked after the token is taken and before the key is claimed, so
                // that a session the gateway never issued is not kept as the key's answer.
                callers
                    .guest(session)
                    .compose(
                        guest ->
                            writes.once(
                                ctx,
                                owner,
                                key,
                                session,
                                () ->
                                    WritePipeline.cartAnswer(merge.merge(owner, guest, ifMatch)))))
        .onFailure(ctx::fail);
  }
}
