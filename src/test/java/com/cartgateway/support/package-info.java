/**
 * Support shared by the integration tests. {@link com.cartgateway.support.TestServices} holds the
 * real Redis, Kafka and DynamoDB Local that every test in a JVM shares, started once on first use.
 */
package com.cartgateway.support;
