package com.cartgateway.http;

import com.cartgateway.cart.Cart;
import com.cartgateway.cart.CartService;
import com.cartgateway.cart.Checkout;
import com.cartgateway.cart.Merge;
import com.cartgateway.commerce.CartException;
import com.cartgateway.identity.Identities;
import com.cartgateway.identity.IdentityException;
import com.cartgateway.identity.Owner;
import com.cartgateway.store.TokenBucket;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** The cart routes: identity first, then validation, then one cart operation. */
final class CartHandlers {
  static final String SESSION_HEADER = "X-Cart-Session";
  static final String SESSION_COOKIE = "cart_session";

  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  private static final String NEW_GUEST = "newGuest";
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  static final String STALE_HEADER = "X-Cart-Stale";
  private static final CharSequence STALE = HttpHeaders.createOptimized("true");
  private static final CharSequence PROBLEM_JSON =
      HttpHeaders.createOptimized("application/problem+json");
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private final CartService carts;
  private final Checkout checkout;
  private final Merge merge;
  private final Identities identities;
  private final Idempotency idempotency;
  private final RateLimiter limiter;
  private final int maxQuantity;

  CartHandlers(
      CartService carts,
      Checkout checkout,
      Merge merge,
      Identities identities,
      Idempotency idempotency,
      RateLimiter limiter,
      int maxQuantity) {
    this.carts = carts;
    this.checkout = checkout;
    this.merge = merge;
    this.identities = identities;
    this.idempotency = idempotency;
    this.limiter = limiter;
    this.maxQuantity = maxQuantity;
  }

  void get(RoutingContext ctx) {
    owner(ctx, false)
        .compose(
            owner -> {
              // One round trip: the token is taken by the script that reads the cart.
              TokenBucket bucket = limiter.bucket(owner.cartId(), RateLimiter.Kind.READS);
              return carts
                  .view(owner, bucket, Requests.knownVersion(ctx))
                  .recover(e -> limiter.refused(RateLimiter.Kind.READS, bucket, e));
            })
        .compose(
            read -> {
              if (read.stale()) {
                // Not the cart at that version (no holds, maybe behind): no ETag to keep it under,
                // so no 304 either; the body's version still says which copy this is.
                return carts
                    .body(read)
                    .compose(
                        body ->
                            ctx.response()
                                .putHeader(STALE_HEADER, STALE)
                                .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
                                .end(body));
              }
              long version = read.cart().version();
              ctx.response().putHeader(HttpHeaders.ETAG, Requests.etag(version));
              if (Requests.noneMatchHits(ctx, version)) {
                ctx.response().setStatusCode(304);
                return ctx.response().end();
              }
              return carts
                  .body(read)
                  .compose(
                      body -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body));
            })
        .onFailure(ctx::fail);
  }

  void add(RoutingContext ctx) {
    JsonObject body;
    String sku;
    int quantity;
    JsonObject variant;
    Long ifMatch;
    String key;
    try {
      key = idempotencyKey(ctx);
      body = Requests.object(ctx, true);
      sku = Requests.sku(body.getValue("sku"), "sku");
      quantity = Requests.quantity(body, maxQuantity);
      variant = Requests.variant(body);
      ifMatch = Requests.ifMatch(ctx);
    } catch (ApiError e) {
      ctx.fail(e);
      return;
    }
    write(ctx, (owner, bucket) -> carts.add(owner, bucket, sku, quantity, variant, ifMatch, key));
  }

  void set(RoutingContext ctx) {
    String sku;
    int quantity;
    Long ifMatch;
    try {
      sku = Requests.sku(ctx.pathParam("sku"), "sku");
      quantity = Requests.quantity(Requests.object(ctx, true), maxQuantity);
      ifMatch = Requests.ifMatch(ctx);
    } catch (ApiError e) {
      ctx.fail(e);
      return;
    }
    write(ctx, (owner, bucket) -> carts.set(owner, bucket, sku, quantity, ifMatch));
  }

  void remove(RoutingContext ctx) {
    String sku;
    Long ifMatch;
    try {
      sku = Requests.sku(ctx.pathParam("sku"), "sku");
      ifMatch = Requests.ifMatch(ctx);
    } catch (ApiError e) {
      ctx.fail(e);
      return;
    }
    write(ctx, (owner, bucket) -> carts.remove(owner, bucket, sku, ifMatch));
  }

  void clear(RoutingContext ctx) {
    Long ifMatch;
    try {
      ifMatch = Requests.ifMatch(ctx);
    } catch (ApiError e) {
      ctx.fail(e);
      return;
    }
    write(ctx, (owner, bucket) -> carts.clear(owner, bucket, ifMatch));
  }

  void checkout(RoutingContext ctx) {
    String key;
    boolean accept;
    Long ifMatch;
    try {
      ifMatch = Requests.ifMatch(ctx);
      key = idempotencyKey(ctx);
      if (key == null) {
        throw ApiError.invalid(IDEMPOTENCY_KEY, "checkout needs an Idempotency-Key header");
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
    owner(ctx, true)
        .compose(owner -> limited(ctx, owner, RateLimiter.Kind.WRITES))
        .compose(
            owner ->
                idempotent(
                    ctx,
                    owner,
                    key,
                    () ->
                        checkout
                            .place(owner, key, accept, ifMatch)
                            .map(order -> new Answer(201, order.toBuffer(), null))))
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
      key = idempotencyKey(ctx);
      ifMatch = Requests.ifMatch(ctx);
      Object fromBody = Requests.object(ctx, false).getValue("guestSession");
      if (fromBody != null && !(fromBody instanceof String)) {
        throw ApiError.invalid("guestSession", "must be a cart session id");
      }
      session = fromBody != null ? (String) fromBody : guestSession(ctx);
      if (session == null) {
        throw ApiError.invalid("guestSession", "send the guest session to merge");
      }
    } catch (ApiError e) {
      ctx.fail(e);
      return;
    }
    String authorization = ctx.request().getHeader("Authorization");
    Future<Owner> user =
        authorization == null
            ? Future.failedFuture(
                new IdentityException(
                    IdentityException.Kind.UNAUTHENTICATED, "merging needs the shopper's token"))
            : identities.user(authorization);
    // The guest session is spent once merged: the browser forgets it, also on a replayed answer,
    // and never on a failure (a 503 must not cost the guest its cart).
    ctx.addHeadersEndHandler(
        ended -> {
          if (ctx.response().getStatusCode() == 200) {
            ctx.response()
                .putHeader(
                    "Set-Cookie",
                    SESSION_COOKIE + "=; Max-Age=0; HttpOnly; Secure; SameSite=Lax; Path=/");
          }
        });
    user.compose(owner -> limited(ctx, owner, RateLimiter.Kind.WRITES))
        .compose(
            owner -> {
              Owner guest;
              try {
                guest = identities.guest(session);
              } catch (IdentityException e) {
                return Future.failedFuture(e);
              }
              return idempotent(
                  ctx,
                  owner,
                  key,
                  () ->
                      merge
                          .merge(owner, guest, ifMatch)
                          .compose(
                              result ->
                                  carts
                                      .render(result.cart())
                                      .map(
                                          body -> {
                                            body.getJsonArray("warnings").addAll(result.warnings());
                                            body.put("merge", result.report());
                                            return new Answer(
                                                200,
                                                body.toBuffer(),
                                                Requests.etag(result.cart().version()));
                                          })));
            })
        .onFailure(ctx::fail);
  }

  /**
   * Runs a change of the caller's cart. A known owner without an Idempotency-Key takes the write
   * token in the change's first round trip on the cart's slot; a new guest (whose bucket is the
   * client address's, on another slot) and a keyed write (whose refusal must not be kept as the
   * key's answer) take it before.
   */
  private void write(RoutingContext ctx, BiFunction<Owner, TokenBucket, Future<Cart>> op) {
    String key;
    try {
      key = idempotencyKey(ctx);
    } catch (ApiError e) {
      ctx.fail(e);
      return;
    }
    RateLimiter.Kind kind = RateLimiter.Kind.WRITES;
    owner(ctx, true)
        .compose(
            owner -> {
              if (key == null && !Boolean.TRUE.equals(ctx.get(NEW_GUEST))) {
                TokenBucket bucket = limiter.bucket(owner.cartId(), kind);
                return changed(ctx, owner, null, () -> op.apply(owner, bucket))
                    .recover(e -> limiter.refused(kind, bucket, e));
              }
              return limited(ctx, owner, kind)
                  .compose(admitted -> changed(ctx, owner, key, () -> op.apply(owner, null)));
            })
        .onFailure(ctx::fail);
  }

  private Future<Void> changed(
      RoutingContext ctx, Owner owner, String key, Supplier<Future<Cart>> change) {
    return idempotent(
        ctx,
        owner,
        key,
        () ->
            change
                .get()
                .compose(
                    cart ->
                        carts
                            .body(cart)
                            .map(body -> new Answer(200, body, Requests.etag(cart.version())))));
  }

  /**
   * Takes a token from the caller's bucket: the owner's, or the client address's for a caller who
   * has no identity yet (else every new guest would bring a fresh bucket).
   */
  private Future<Owner> limited(RoutingContext ctx, Owner owner, RateLimiter.Kind kind) {
    String identity =
        Boolean.TRUE.equals(ctx.get(NEW_GUEST))
            ? "ip:" + Requests.clientAddress(ctx)
            : owner.cartId();
    return limiter.take(identity, kind).map(owner);
  }

  /** A response to send (and to keep for an idempotent replay). */
  private record Answer(int status, Buffer body, String etag) {}

  /**
   * Runs a write once per idempotency key: a replay answers the kept response, a reuse with another
   * request is refused, and a refusal (4xx) is kept like a success. Without a key the write simply
   * runs.
   */
  private Future<Void> idempotent(
      RoutingContext ctx, Owner owner, String key, Supplier<Future<Answer>> work) {
    if (key == null) {
      return work.get().compose(answer -> send(ctx, answer, false));
    }
    String cartId = owner.cartId();
    String fingerprint =
        Idempotency.fingerprint(
            ctx.request().method().name(), ctx.request().path(), ctx.body().buffer());
    return idempotency
        .begin(cartId, key, fingerprint)
        .compose(
            outcome -> {
              if (outcome instanceof Idempotency.Outcome.Replay replay) {
                return send(
                    ctx,
                    new Answer(
                        replay.status(),
                        Buffer.buffer(replay.body()),
                        replay.etag().isEmpty() ? null : replay.etag()),
                    true);
              }
              if (outcome instanceof Idempotency.Outcome.Reused) {
                return Future.failedFuture(
                    new CartException(
                        CartException.Reason.IDEMPOTENCY_KEY_REUSED,
                        "this Idempotency-Key was used with another request"));
              }
              if (outcome instanceof Idempotency.Outcome.InProgress) {
                return Future.failedFuture(
                    new CartException(
                        CartException.Reason.IN_PROGRESS,
                        "a request with this Idempotency-Key is still running"));
              }
              return work.get()
                  .recover(failure -> keptRefusal(ctx, failure))
                  .compose(
                      answer ->
                          idempotency
                              .complete(
                                  cartId,
                                  key,
                                  fingerprint,
                                  answer.status(),
                                  answer.body(),
                                  answer.etag())
                              .compose(kept -> send(ctx, answer, false)))
                  .onFailure(failure -> idempotency.abandon(cartId, key));
            });
  }

  /** A refusal by a rule is the request's answer and is kept; an outage is not. */
  private static Future<Answer> keptRefusal(RoutingContext ctx, Throwable failure) {
    Problems.Problem problem = Problems.of(failure);
    if (problem == null
        || problem.status() >= 500
        || problem.code().equals("request_in_progress")) {
      return Future.failedFuture(failure);
    }
    return Future.succeededFuture(
        new Answer(problem.status(), Problems.body(ctx, problem).toBuffer(), null));
  }

  private static Future<Void> send(RoutingContext ctx, Answer answer, boolean replayed) {
    if (answer.etag() != null) {
      ctx.response().putHeader(HttpHeaders.ETAG, answer.etag());
    }
    if (replayed) {
      ctx.response().putHeader("Idempotent-Replayed", "true");
    }
    CharSequence type = answer.status() >= 400 ? PROBLEM_JSON : JSON;
    return ctx.response()
        .setStatusCode(answer.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, type)
        .end(answer.body());
  }

  private static String idempotencyKey(RoutingContext ctx) {
    String key = ctx.request().getHeader(IDEMPOTENCY_KEY);
    if (key != null && !KEY.matcher(key).matches()) {
      throw ApiError.invalid(IDEMPOTENCY_KEY, "must match [A-Za-z0-9._:-]{1,128}");
    }
    return key;
  }

  /**
   * The caller's cart owner: the user token wins over a guest session. A write with no identity
   * starts a new guest session; a read with none is refused.
   */
  private Future<Owner> owner(RoutingContext ctx, boolean write) {
    return identify(ctx, write).onSuccess(owner -> AccessLog.owner(ctx, owner));
  }

  private Future<Owner> identify(RoutingContext ctx, boolean write) {
    String authorization = ctx.request().getHeader("Authorization");
    if (authorization != null) {
      return identities.user(authorization);
    }
    String session = guestSession(ctx);
    try {
      if (session != null) {
        return Future.succeededFuture(identities.guest(session));
      }
    } catch (IdentityException e) {
      return Future.failedFuture(e);
    }
    if (!write) {
      return Future.failedFuture(
          new IdentityException(
              IdentityException.Kind.UNAUTHENTICATED,
              "send a bearer token or a cart session to read a cart"));
    }
    Owner guest = identities.newGuest();
    ctx.put(NEW_GUEST, true);
    ctx.response().putHeader(SESSION_HEADER, guest.id());
    // Written by hand to keep the attribute spelling of the contract (Netty writes "HTTPOnly").
    ctx.response()
        .putHeader(
            "Set-Cookie",
            SESSION_COOKIE + "=" + guest.id() + "; HttpOnly; Secure; SameSite=Lax; Path=/");
    return Future.succeededFuture(guest);
  }

  private static String guestSession(RoutingContext ctx) {
    String session = ctx.request().getHeader(SESSION_HEADER);
    if (session == null) {
      Cookie cookie = ctx.request().getCookie(SESSION_COOKIE);
      session = cookie == null ? null : cookie.getValue();
    }
    return session;
  }

  private static Future<Void> json(RoutingContext ctx, JsonObject body) {
    return ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.toBuffer());
  }
}
