/**
 * Support shared by the integration tests. {@link com.cartgateway.support.TestServices} holds the
 * real Redis, Kafka and DynamoDB Local that every test in a JVM shares, started once on first use;
 * {@link com.cartgateway.support.Gateway} is the one client of the gateway the tests share, and
 * checks every answer it receives against {@code openapi.yaml} through {@link
 * com.cartgateway.support.Contract}.
 */
package com.cartgateway.support;
