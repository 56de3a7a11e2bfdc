package com.cartgateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;

/**
 * A new shopper whose cart holds 2 units of a new SKU (stock 2000, 10.00 USD), and both as they
 * stood: what a test of refusals checks is left as it was.
 *
 * @param user the shopper
 * @param sku the SKU of the cart's one line
 */
public record OneLineCart(
    Gateway gateway, String user, String sku, JsonObject cart, JsonObject stock) {

  /** Puts the SKU in the catalog and the line in a new shopper's cart. */
  public static OneLineCart create(Gateway gateway) {
    String user = Gateway.unique("shopper");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "10.00", "USD", 2000);
    assertThat(gateway.add(user, sku, 2).statusCode()).isEqualTo(200);
    return new OneLineCart(gateway, user, sku, gateway.cart(user), gateway.sku(sku));
  }

  /** Fails unless the cart and the SKU are as they were. */
  public void assertUnchanged() {
    assertThat(gateway.cart(user)).as("the cart").isEqualTo(cart);
    assertThat(gateway.sku(sku)).as("the SKU").isEqualTo(stock);
  }
}
