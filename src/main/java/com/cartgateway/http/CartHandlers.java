package com.cartgateway.http;

import com.cartgateway.cart.Cart;
import com.cartgateway.cart.CartService;
import com.cartgateway.cart.Owner;
import com.cartgateway.identity.Identities;
import com.cartgateway.identity.IdentityException;
import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The cart routes: identity first, then validation, then one cart operation. */
final class CartHandlers {
  static final String SESSION_HEADER = "X-Cart-Session";
  static final String SESSION_COOKIE = "cart_session";

  private final CartService carts;
  private final Identities identities;
  private final int maxQuantity;

  CartHandlers(CartService carts, Identities identities, int maxQuantity) {
    this.carts = carts;
    this.identities = identities;
    this.maxQuantity = maxQuantity;
  }

  void get(RoutingContext ctx) {
    owner(ctx, false)
        .compose(carts::stored)
        .compose(
            cart -> {
              ctx.response().putHeader("ETag", Requests.etag(cart.version()));
              if (Requests.noneMatchHits(ctx, cart.version())) {
                ctx.response().setStatusCode(304);
                return ctx.response().end();
              }
              return carts.render(cart).compose(body -> json(ctx, body));
            })
        .onFailure(ctx::fail);
  }

  void add(RoutingContext ctx) {
    JsonObject body;
    String sku;
    int quantity;
    JsonObject variant;
    Long ifMatch;
    try {
      body = Requests.object(ctx, true);
      sku = Requests.sku(body.getValue("sku"), "sku");
      quantity = Requests.quantity(body, maxQuantity);
      variant = Requests.variant(body);
      ifMatch = Requests.ifMatch(ctx);
    } catch (ApiError e) {
      ctx.fail(e);
      return;
    }
    write(ctx, owner -> carts.add(owner, sku, quantity, variant, ifMatch));
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
    write(ctx, owner -> carts.set(owner, sku, quantity, ifMatch));
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
    write(ctx, owner -> carts.remove(owner, sku, ifMatch));
  }

  void clear(RoutingContext ctx) {
    Long ifMatch;
    try {
      ifMatch = Requests.ifMatch(ctx);
    } catch (ApiError e) {
      ctx.fail(e);
      return;
    }
    write(ctx, owner -> carts.clear(owner, ifMatch));
  }

  private void write(RoutingContext ctx, java.util.function.Function<Owner, Future<Cart>> op) {
    owner(ctx, true)
        .compose(op::apply)
        .compose(
            cart -> {
              ctx.response().putHeader("ETag", Requests.etag(cart.version()));
              return carts.render(cart);
            })
        .compose(body -> json(ctx, body))
        .onFailure(ctx::fail);
  }

  /**
   * The caller's cart owner: the user token wins over a guest session. A write with no identity
   * starts a new guest session; a read with none is refused.
   */
  private Future<Owner> owner(RoutingContext ctx, boolean write) {
    String authorization = ctx.request().getHeader("Authorization");
    if (authorization != null) {
      return identities.user(authorization);
    }
    String session = ctx.request().getHeader(SESSION_HEADER);
    if (session == null) {
      Cookie cookie = ctx.request().getCookie(SESSION_COOKIE);
      session = cookie == null ? null : cookie.getValue();
    }
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
    ctx.response().putHeader(SESSION_HEADER, guest.id());
    // Written by hand to keep the attribute spelling of the contract (Netty writes "HTTPOnly").
    ctx.response()
        .putHeader(
            "Set-Cookie",
            SESSION_COOKIE + "=" + guest.id() + "; HttpOnly; Secure; SameSite=Lax; Path=/");
    return Future.succeededFuture(guest);
  }

  private static Future<Void> json(RoutingContext ctx, JsonObject body) {
    return ctx.response().putHeader("Content-Type", "application/json").end(body.toBuffer());
  }
}
