package com.cartgateway.archfixture.b;

import com.cartgateway.archfixture.a.Ping;

/**
 * The other half of the planted package cycle.
 *
 * @param reply the first half
 */
public record Pong(Ping reply) {}
