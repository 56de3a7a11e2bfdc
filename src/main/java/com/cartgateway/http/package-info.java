/**
 * The HTTP API: routes, request validation, identity resolution, the headers every response
 * carries, and the single mapping of failures to {@code application/problem+json}.
 */
package com.cartgateway.http;
