/**
 * What the cart and the catalog share: exact money ({@link com.cartgateway.commerce.Money}, integer
 * minor units inside, decimal strings outside) and the refusal of an operation by a rule ({@link
 * com.cartgateway.commerce.CartException}), which the HTTP layer answers as problem+json.
 */
package com.cartgateway.commerce;
