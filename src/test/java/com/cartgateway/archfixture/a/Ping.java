package com.cartgateway.archfixture.a;

import com.cartgateway.archfixture.b.Pong;

/**
 * Half of a planted package cycle (a uses b, b uses a), so that the cycle check is shown to fail on
 * one.
 *
 * @param reply the other half
 */
public record Ping(Pong reply) {}
