/**
 * How every change stays durable and how Redis comes back after it lost its data, the same way for
 * carts and SKUs: one journal ({@link com.cartgateway.durability.Journal}: mark, change, publish,
 * unmark, and the sweep that publishes again what Kafka missed), told what it keeps by a codec per
 * kind of state ({@link com.cartgateway.durability.JournalCodec}); the epoch of the Redis data
 * ({@link com.cartgateway.durability.Epoch}); the one reader of the worker group's progress per
 * topic, built once per process ({@link com.cartgateway.durability.GroupProgress}); and whether
 * DynamoDB has caught up with a topic since the epoch began ({@link
 * com.cartgateway.durability.CatchUp}). The rebuilders in {@code cart} and {@code inventory} only
 * restore a cart or the catalog once it says so.
 */
package com.cartgateway.durability;
