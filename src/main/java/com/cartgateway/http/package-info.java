/**
 * The HTTP API: routes, request validation, the caller (resolved through {@code identity}), rate
 * limits, idempotency keys, request deadlines, the access log, the headers every response carries,
 * and the single mapping of failures to {@code application/problem+json}.
 */
package com.cartgateway.http;
