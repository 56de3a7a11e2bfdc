/**
 * Who is calling: signed-in shoppers by HS256 JWT (through vertx-auth-jwt, algorithm pinned, {@code
 * exp} required), guests by a random session id, operators by the admin token.
 */
package com.cartgateway.identity;
