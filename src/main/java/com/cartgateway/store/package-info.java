/**
 * Redis access, the only package that uses the Redis client: key layout ({@link
 * com.cartgateway.store.RedisKeys}), the Lua scripts (one per operation, each on one cluster slot,
 * registered in {@link com.cartgateway.store.Scripts} and answering a {@link
 * com.cartgateway.store.ScriptReply}), the client that calls them by SHA ({@link
 * com.cartgateway.store.RedisGateway}), the copies of values kept in memory while Redis says they
 * have not changed ({@link com.cartgateway.store.NearCache}), and one class per concern for the
 * plain commands: {@link com.cartgateway.store.CartRecords}, {@link
 * com.cartgateway.store.SkuRecords}, {@link com.cartgateway.store.IdleIndex}, {@link
 * com.cartgateway.store.UnpublishedMarks}, {@link com.cartgateway.store.EpochRecords}, {@link
 * com.cartgateway.store.Lease}, {@link com.cartgateway.store.IdempotencyRecords}, {@link
 * com.cartgateway.store.RedisServer} and {@link com.cartgateway.store.ExpirySubscription}. Methods
 * take and answer plain Java types; callers decode them into domain types. Redis failures leave
 * this package as {@link com.cartgateway.store.StoreUnavailableException}.
 */
package com.cartgateway.store;
