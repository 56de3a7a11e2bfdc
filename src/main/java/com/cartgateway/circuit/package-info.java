/**
 * Circuit breakers around the three backing services (Redis, Kafka, DynamoDB): one place that makes
 * them, with the same settings per service, and exports their state ({@code cart_circuit_state},
 * {@code cart_circuit_transitions_total}) and a log line on each change.
 */
package com.cartgateway.circuit;
