/**
 * The cart domain: lines, the rules of each cart operation, and the cart body that clients see.
 * {@link com.cartgateway.cart.CartService} orders the single-slot Redis steps of each operation so
 * that a failure in between heals by the hold's TTL. Each change is journalled ({@link
 * com.cartgateway.cart.CartJournal}, the durability journal with the cart's codec), and a cart
 * Redis lost is restored from DynamoDB ({@link com.cartgateway.cart.CartRebuilder}).
 */
package com.cartgateway.cart;
