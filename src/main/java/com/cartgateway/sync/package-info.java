/**
 * DynamoDB, the durable store behind Redis: the async client and the table definitions (carts keyed
 * by cart id with a TTL attribute; catalog keyed by SKU).
 */
package com.cartgateway.sync;
