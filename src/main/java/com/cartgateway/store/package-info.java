/**
 * Redis access: key layout, the Lua scripts (one per operation, each on one cluster slot), and the
 * client that calls them by SHA. Redis failures leave this package as {@link
 * com.cartgateway.store.StoreUnavailableException}.
 */
package com.cartgateway.store;
