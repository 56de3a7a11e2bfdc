package com.cartgateway.inventory;

/**
 * What a hold change did.
 *
 * @param price the SKU's price when the hold changed (the price a new line captures)
 * @param held units this cart now holds of the SKU
 * @param applied units actually moved (a release is capped at what was held)
 */
public record HoldResult(Price price, int held, int applied) {}
