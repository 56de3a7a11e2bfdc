/**
 * The catalog and stock: prices, units on hand, and soft holds. A hold moves units from available
 * to reserved on the SKU's own slot, with no lock, and lapses with its marker key.
 */
package com.cartgateway.inventory;
