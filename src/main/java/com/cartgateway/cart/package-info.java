/**
 * The cart domain: lines, the rules of each cart operation, and the cart body that clients see.
 * {@link com.cartgateway.cart.CartService} orders the single-slot Redis steps of each operation so
 * that a failure in between heals by the hold's TTL.
 */
package com.cartgateway.cart;
