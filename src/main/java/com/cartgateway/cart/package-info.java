/**
 * The cart domain: lines, the rules of each cart operation, and the cart body that clients see.
 * {@link com.cartgateway.cart.CartReads} serves reads; {@link com.cartgateway.cart.CartService},
 * {@link com.cartgateway.cart.Checkout} and {@link com.cartgateway.cart.Merge} order the
 * single-slot Redis steps of each write so that a failure in between heals by the hold's TTL. The
 * rules (such as {@code Orders}, {@code MergePlan}) are plain classes apart from the classes that
 * call the scripts ({@link com.cartgateway.cart.CartStore}, {@link
 * com.cartgateway.cart.CartWrites}, {@code CheckoutStore}, {@code MergeStore}). Each change is
 * journalled ({@link com.cartgateway.cart.CartJournal}, the durability journal with the cart's
 * codec), and a cart Redis lost is restored from DynamoDB ({@link
 * com.cartgateway.cart.CartRebuilder}). A route enters the domain once: each of these calls answers
 * with the cart and its rendered body ({@link com.cartgateway.cart.CartAnswer}) or the order.
 */
package com.cartgateway.cart;
