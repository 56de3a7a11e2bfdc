/**
 * Real backing services for dev mode and tests, without Docker: Redis, a single-node KRaft Kafka
 * broker and DynamoDB Local, each started by {@link com.cartgateway.dev.DevServices} as its own OS
 * process on a free loopback port. Each is a {@link com.cartgateway.dev.ManagedService} that fault
 * tests can stop, kill and restart on its own; none outlives the JVM that started it.
 *
 * <p>Main code here names the service artifacts (embedded-redis, kafka_2.13, DynamoDBLocal) only as
 * strings: they are test-scope dependencies, present on the test and {@code -Pdev} classpaths and
 * never in the production jar, which leaves this package out.
 */
package com.cartgateway.dev;
