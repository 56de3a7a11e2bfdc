/**
 * The timer role: returns lapsed soft holds to stock. Expiry notifications of the hold markers are
 * the fast path; a periodic sweep of each SKU's expiry index is the backstop, since notifications
 * are lost while nobody listens.
 */
package com.cartgateway.reconcile;
