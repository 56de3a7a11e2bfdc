package com.cartgateway.cart;

/**
 * A cart as a client's read found it.
 *
 * @param cart the cart
 * @param stale true for DynamoDB's copy served without Redis (Redis failed, or lost the cart and
 *     DynamoDB is not known to be caught up yet): no hold is shown, and acknowledged changes may be
 *     missing
 */
public record CartRead(Cart cart, boolean stale) {}
