/**
 * The catalog and stock: prices, units on hand, and soft holds. A hold moves units from available
 * to reserved on the SKU's own slot, with no lock, and lapses with its marker key. Each change of a
 * SKU is put on {@code catalog.events} ({@link com.cartgateway.inventory.CatalogJournal}, the
 * durability journal with the SKU's codec), from which a Redis that lost its data gets the catalog
 * back ({@link com.cartgateway.inventory.CatalogRebuilder}); prices are cached in the process
 * ({@link com.cartgateway.inventory.PriceCache}) and read from DynamoDB while Redis is down ({@link
 * com.cartgateway.inventory.LastKnownPrices}).
 */
package com.cartgateway.inventory;
