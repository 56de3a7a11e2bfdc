package com.cartgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Each script must touch one Redis Cluster slot: all its keys share one hash tag. */
@DisplayName("key layout keeps every script on one cluster slot")
class RedisKeysTest {
  /** The hash tag Redis Cluster hashes: the text between the first '{' and the next '}'. */
  private static String hashTag(String key) {
    int open = key.indexOf('{');
    int close = open < 0 ? -1 : key.indexOf('}', open + 1);
    return close > open + 1 ? key.substring(open + 1, close) : key;
  }

  @Test
  @DisplayName("the keys of a hold change share the SKU's tag, whatever the cart id")
  void holdKeysShareTheSkuSlot() {
    String sku = "SKU-1.a_b";
    String cart = "u:alice:with:colons";
    List<String> keys =
        List.of(
            RedisKeys.sku(sku),
            RedisKeys.skuHolds(sku),
            RedisKeys.skuHoldMarker(sku, cart),
            RedisKeys.skuExpiry(sku),
            RedisKeys.skuOp(sku, "op-1"));
    assertThat(keys).extracting(RedisKeysTest::hashTag).containsOnly(sku);
  }

  @Test
  @DisplayName("the keys of a cart write share the cart's tag")
  void cartKeysShareTheCartSlot() {
    String cart = "g:AbCdEfGhIjKlMnOpQrStUv";
    assertThat(List.of(RedisKeys.cart(cart), RedisKeys.cartOp(cart, "op-9")))
        .extracting(RedisKeysTest::hashTag)
        .containsOnly(cart);
  }
}
