package com.cartgateway.http;

import com.cartgateway.cart.CartAnswer;
import com.cartgateway.commerce.CartException;
import com.cartgateway.identity.Owner;
import com.cartgateway.store.TokenBucket;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * What every write goes through, in order: the caller ({@link Callers}), the caller's write token,
 * the idempotency key, then the answer, sent here (and kept for a replay). A handler parses its
 * request, then hands its one call into the domain to {@link #cart} or to {@link #admit} and {@link
 * #once}.
 */
final class WritePipeline {
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence PROBLEM_JSON =
      HttpHeaders.createOptimized("application/problem+json");

  /** The refusals found while running a write that a retry with its key is answered again. */
  private static final Set<ProblemType> KEPT_REFUSALS =
      EnumSet.of(
          ProblemType.INVALID_CHANGE,
          ProblemType.UNKNOWN_SKU,
          ProblemType.LINE_NOT_FOUND,
          ProblemType.OUT_OF_STOCK,
          ProblemType.CART_FULL,
          ProblemType.VERSION_CONFLICT,
          ProblemType.PRICE_CHANGED);

  private final Callers callers;
  private final RateLimiter limiter;
  private final Idempotency idempotency;

  WritePipeline(Callers callers, RateLimiter limiter, Idempotency idempotency) {
    this.callers = callers;
    this.limiter = limiter;
    this.idempotency = idempotency;
  }

  /** A response to send (and to keep for an idempotent replay). */
  record Answer(int status, Buffer body, String etag) {}

  /**
   * Runs a change of the caller's cart and answers the cart. A known owner without an
   * Idempotency-Key takes the write token in the change's first round trip on the cart's slot; a
   * new guest (whose bucket is the client address's, on another slot) and a keyed write (whose
   * refusal must not be kept as the key's answer) take it before.
   *
   * @param key the request's Idempotency-Key, or null
   * @param change the change, given the owner and the bucket to take the token from (null when the
   *     token is taken already)
   */
  void cart(
      RoutingContext ctx, String key, BiFunction<Owner, TokenBucket, Future<CartAnswer>> change) {
    RateLimiter.Kind kind = RateLimiter.Kind.WRITES;
    callers
        .writer(ctx)
        .compose(
            owner -> {
              if (key == null && !Callers.isNewGuest(ctx)) {
                TokenBucket bucket = limiter.bucket(owner.cartId(), kind);
                return once(ctx, owner, null, () -> cartAnswer(change.apply(owner, bucket)))
                    .recover(e -> limiter.refused(kind, bucket, e));
              }
              return limited(ctx, owner, kind)
                  .compose(
                      admitted ->
                          once(ctx, owner, key, () -> cartAnswer(change.apply(owner, null))));
            })
        .onFailure(ctx::fail);
  }

  /**
   * The caller, once it took a write token: the owner's, or the client address's for a caller who
   * had no identity yet (else every new guest would bring a fresh bucket).
   */
  Future<Owner> admit(RoutingContext ctx, Future<Owner> caller) {
    return caller.compose(owner -> limited(ctx, owner, RateLimiter.Kind.WRITES));
  }

  /**
   * Runs a write once per idempotency key and sends its answer: a replay answers the kept response,
   * a reuse with another request is refused, and a refusal by the cart's rules is kept (briefly)
   * like a success. Without a key the write simply runs.
   */
  Future<Void> once(RoutingContext ctx, Owner owner, String key, Supplier<Future<Answer>> work) {
    return once(ctx, owner, key, null, work);
  }

  /**
   * As {@link #once(RoutingContext, Owner, String, Supplier)} for a merge, whose request includes
   * the guest session it merges: the same key with another guest session is another request.
   */
  Future<Void> once(
      RoutingContext ctx,
      Owner owner,
      String key,
      String guestSession,
      Supplier<Future<Answer>> work) {
    if (key == null) {
      return work.get().compose(answer -> send(ctx, answer, false));
    }
    String cartId = owner.cartId();
    String fingerprint =
        Idempotency.fingerprint(
            ctx.request().method().name(), ctx.request().path(), guestSession, ctx.body().buffer());
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

  /** A changed cart's answer: 200 with its body, under its version's ETag. */
  static Future<Answer> cartAnswer(Future<CartAnswer> changed) {
    return changed.map(
        answer -> new Answer(200, answer.body(), Requests.etag(answer.cart().version())));
  }

  private Future<Owner> limited(RoutingContext ctx, Owner owner, RateLimiter.Kind kind) {
    String identity =
        Callers.isNewGuest(ctx) ? "ip:" + Requests.clientAddress(ctx) : owner.cartId();
    return limiter.take(identity, kind).map(owner);
  }

  /**
   * A refusal by one of the cart's rules is the request's answer and is kept; any other refusal
   * (one about the caller or the request, such as 403 or 429) and an outage are not.
   */
  private static Future<Answer> keptRefusal(RoutingContext ctx, Throwable failure) {
    Problems.Problem problem = Problems.of(failure);
    if (problem == null || !KEPT_REFUSALS.contains(problem.type())) {
      return Future.failedFuture(failure);
    }
    return Future.succeededFuture(
        new Answer(problem.type().status, Problems.body(ctx, problem).toBuffer(), null));
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
}
