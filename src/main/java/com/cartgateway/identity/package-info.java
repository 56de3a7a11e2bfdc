/**
 * Who is calling: signed-in shoppers by HS256 JWT (through vertx-auth-jwt, algorithm pinned, {@code
 * exp} required), guests by a session id the gateway signed ({@link
 * com.cartgateway.identity.GuestSessions}), operators by the admin token. A caller's {@link
 * com.cartgateway.identity.Owner} names the cart it owns.
 */
package com.cartgateway.identity;
