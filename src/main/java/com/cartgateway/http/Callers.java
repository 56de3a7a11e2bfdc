package com.cartgateway.http;

import com.cartgateway.identity.Identities;
import com.cartgateway.identity.IdentityException;
import com.cartgateway.identity.Owner;
import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;

/**
 * Whose cart a request is about, resolved in one place: the user token wins over a guest session
 * (header, else cookie); a write with neither starts a new guest session, a read with neither is
 * refused.
 */
final class Callers {
  static final String SESSION_HEADER = "X-Cart-Session";
  static final String SESSION_COOKIE = "cart_session";
  private static final String NEW_GUEST = "newGuest";

  private final Identities identities;

  Callers(Identities identities) {
    this.identities = identities;
  }

  /** The owner of the cart a read is about; also named in the access line. */
  Future<Owner> reader(RoutingContext ctx) {
    return identify(ctx, false).onSuccess(owner -> AccessLog.owner(ctx, owner));
  }

  /**
   * The owner of the cart a write changes, a new guest if need be; also named in the access line.
   */
  Future<Owner> writer(RoutingContext ctx) {
    return identify(ctx, true).onSuccess(owner -> AccessLog.owner(ctx, owner));
  }

  /** The signed-in shopper, whose token a merge needs. */
  Future<Owner> shopper(RoutingContext ctx) {
    String authorization = ctx.request().getHeader("Authorization");
    return authorization == null
        ? Future.failedFuture(
            new IdentityException(
                IdentityException.Kind.UNAUTHENTICATED, "merging needs the shopper's token"))
        : identities.user(authorization);
  }

  /** The owner of a guest session, or a failure when the session is not one of ours. */
  Future<Owner> guest(String session) {
    try {
      return Future.succeededFuture(identities.guest(session));
    } catch (IdentityException e) {
      return Future.failedFuture(e);
    }
  }

  /** Whether this request started a new guest session, whose bucket is its client address's. */
  static boolean isNewGuest(RoutingContext ctx) {
    return Boolean.TRUE.equals(ctx.get(NEW_GUEST));
  }

  /** The guest session the request names, in its header or else its cookie, or null. */
  static String guestSession(RoutingContext ctx) {
    String session = ctx.request().getHeader(SESSION_HEADER);
    if (session == null) {
      Cookie cookie = ctx.request().getCookie(SESSION_COOKIE);
      session = cookie == null ? null : cookie.getValue();
    }
    return session;
  }

  /**
   * Has the browser forget the guest session once it is merged: on a 200, also a replayed one, and
   * never on a failure (a 503 must not cost the guest its cart).
   */
  static void forgetGuestOnSuccess(RoutingContext ctx) {
    ctx.addHeadersEndHandler(
        ended -> {
          if (ctx.response().getStatusCode() == 200) {
            ctx.response()
                .putHeader(
                    "Set-Cookie",
                    SESSION_COOKIE + "=; Max-Age=0; HttpOnly; Secure; SameSite=Lax; Path=/");
          }
        });
  }

  private Future<Owner> identify(RoutingContext ctx, boolean write) {
    String authorization = ctx.request().getHeader("Authorization");
    if (authorization != null) {
      return identities.user(authorization);
    }
    String session = guestSession(ctx);
    if (session != null) {
      return guest(session);
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
}
