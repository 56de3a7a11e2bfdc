/**
 * What the cart and the catalog share: exact money ({@link com.cartgateway.commerce.Money}, integer
 * minor units inside, decimal strings outside), the line of a cart ({@link
 * com.cartgateway.commerce.CartLine}: a SKU, its captured price and its hold, the same in Redis and
 * on {@code cart.events}) and the refusal of an operation by a rule ({@link
 * com.cartgateway.commerce.CartException}), which the HTTP layer answers as problem+json.
 */
package com.cartgateway.commerce;
