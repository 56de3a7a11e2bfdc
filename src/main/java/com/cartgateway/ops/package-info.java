/**
 * Operations: liveness, readiness with a real check of each dependency, and the shared clients of
 * one process (Kafka admin, DynamoDB) that the checks use.
 */
package com.cartgateway.ops;
