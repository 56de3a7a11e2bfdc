package com.cartgateway.cart;

import io.vertx.core.buffer.Buffer;

/**
 * What a cart route answers, made in the one call the route makes into the cart domain: the cart
 * and its rendered body.
 *
 * @param cart the cart read or changed
 * @param stale as {@link CartRead#stale()}: DynamoDB's copy, never answered under an ETag
 * @param body the JSON body, or null when the caller's copy is current (its If-None-Match hit)
 */
public record CartAnswer(Cart cart, boolean stale, Buffer body) {

  /** True when the caller's copy is current: a 304, no body rendered. */
  public boolean notModified() {
    return body == null;
  }
}
