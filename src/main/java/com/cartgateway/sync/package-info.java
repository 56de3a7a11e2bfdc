/**
 * Kafka and DynamoDB, the durable side of the gateway: the topics and the event publisher, the
 * DynamoDB client and tables, the {@code cart.events} record ({@link
 * com.cartgateway.sync.CartEvent}), and the worker role that drains it into DynamoDB, the newest
 * version of each cart and never an older one ({@link com.cartgateway.sync.WriteBehindVerticle}),
 * with its lag ({@link com.cartgateway.sync.WriteBehindLag}), the progress of its group that every
 * role can ask without blocking ({@link com.cartgateway.sync.WriteBehindProgress}), and a reader of
 * what it stored ({@link com.cartgateway.sync.DynamoCarts}).
 */
package com.cartgateway.sync;
