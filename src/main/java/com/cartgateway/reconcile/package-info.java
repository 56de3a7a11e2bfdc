/**
 * The timer role ({@link com.cartgateway.reconcile.TimerRole}, one {@link
 * com.cartgateway.reconcile.SweepVerticle} per timer): returns lapsed soft holds to stock ({@link
 * com.cartgateway.reconcile.HoldLapses}: expiry notifications of the hold markers are the fast
 * path, a periodic sweep of each SKU's expiry index the backstop, since notifications are lost
 * while nobody listens), reports idle carts once per idle period ({@link
 * com.cartgateway.reconcile.AbandonmentSweeper}), and republishes carts and SKUs whose change Kafka
 * did not take ({@link com.cartgateway.reconcile.UnpublishedSweeper}).
 */
package com.cartgateway.reconcile;
