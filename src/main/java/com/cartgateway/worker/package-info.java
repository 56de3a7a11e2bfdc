/**
 * The worker role, write-behind: drains {@code cart.events} and {@code catalog.events} into
 * DynamoDB ({@link com.cartgateway.worker.WriteBehindLoop}, built by {@link
 * com.cartgateway.worker.WorkerRole} and run by {@link
 * com.cartgateway.worker.WriteBehindVerticle}), the newest version of each cart and SKU and never
 * an older one ({@link com.cartgateway.worker.ItemBatchWriter}), with its meters ({@link
 * com.cartgateway.worker.WriteBehindMetrics}). The progress of its group, which every role can ask
 * without blocking, is {@link com.cartgateway.durability.GroupProgress}.
 */
package com.cartgateway.worker;
