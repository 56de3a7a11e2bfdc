/**
 * The Kafka side of the gateway: the topics ({@link com.cartgateway.events.Topics}), the records
 * they carry ({@link com.cartgateway.events.CartEvent} on {@code cart.events}, {@link
 * com.cartgateway.events.SkuState} on {@code catalog.events}), and the publisher every role sends
 * them through ({@link com.cartgateway.events.EventPublisher}), straight from the event loop while
 * {@link com.cartgateway.events.DirectSends} says the producer cannot block.
 */
package com.cartgateway.events;
