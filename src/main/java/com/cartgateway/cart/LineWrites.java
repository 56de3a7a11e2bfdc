package com.cartgateway.cart;

import com.cartgateway.inventory.InventoryStore;
import java.time.Clock;
import java.time.Duration;

/**
 * What every line write works with, built once by {@link CartService} and shared by its writes.
 *
 * @param carts the cart store
 * @param writes the cart's line-write scripts
 * @param inventory the stock store
 * @param limits the cart limits
 * @param holdTtl how long a hold lasts after its line's last change
 * @param clock the time source
 * @param activity what follows each change
 * @param journal what makes each change durable before it is acknowledged
 * @param steps the steps the writes share
 */
record LineWrites(
    CartStore carts,
    CartWrites writes,
    InventoryStore inventory,
    CartStore.Limits limits,
    Duration holdTtl,
    Clock clock,
    CartActivity activity,
    CartJournal journal,
    WriteSteps steps) {}
