/**
 * The HTTP API: the route table ({@code ApiRoutes}), request parsing and validation, the caller
 * (resolved through {@code identity}), the write pipeline (rate limits, idempotency keys, the
 * answer), request deadlines, the access log, the headers every response carries, and the single
 * mapping of failures to {@code application/problem+json} ({@code ProblemType}). {@code HttpRole}
 * builds the object graph each {@code CartHttpVerticle} serves.
 */
package com.cartgateway.http;
