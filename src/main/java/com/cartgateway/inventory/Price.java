package com.cartgateway.inventory;

/**
 * A SKU's current price.
 *
 * @param minorUnits the amount in minor units
 * @param currency ISO 4217 code
 */
public record Price(long minorUnits, String currency) {}
