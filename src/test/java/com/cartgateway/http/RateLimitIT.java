package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.support.Gateway;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("rate limits per identity")
class RateLimitIT {

  @Test
  @DisplayName(
      "past the burst a caller gets 429 with Retry-After; after the refill it succeeds; others are unaffected")
  void bucketAndRefill() throws Exception {
    Gateway gateway =
        Gateway.start(Map.of("CART_RATE_LIMIT_READS", "5", "CART_RATE_LIMIT_WRITES", "2"));
    try {
      String user = Gateway.unique("shopper");
      int allowed = 0;
      HttpResponse<String> limited = null;
      for (int i = 0; i < 30 && limited == null; i++) {
        HttpResponse<String> response = read(gateway, user);
        if (response.statusCode() == 429) {
          limited = response;
        } else {
          assertThat(response.statusCode()).isEqualTo(200);
          allowed++;
        }
      }
      assertThat(limited).as("a read past the bucket is refused").isNotNull();
      assertThat(allowed).as("a burst of twice the rate").isBetween(10, 12);
      assertThat(limited.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(new JsonObject(limited.body()).getString("code")).isEqualTo("rate_limited");
      long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
      assertThat(retryAfter).isBetween(1L, 2L);

      assertThat(read(gateway, Gateway.unique("other")).statusCode())
          .as("another identity has its own bucket")
          .isEqualTo(200);
      assertThat(gateway.send(gateway.request("/health/live").GET().build()).statusCode())
          .as("health is not limited")
          .isEqualTo(200);

      Thread.sleep(retryAfter * 1000);
      assertThat(read(gateway, user).statusCode()).isEqualTo(200);

      String sku = Gateway.unique("SKU");
      gateway.putSku(sku, "1.00", "USD", 100);
      int writes = 0;
      while (gateway.add(user, sku, 1).statusCode() == 200) {
        writes++;
        assertThat(writes).as("writes are limited too").isLessThan(20);
      }
      assertThat(writes).isBetween(4, 5);
    } finally {
      gateway.close();
    }
  }

  private static HttpResponse<String> read(Gateway gateway, String user) {
    return gateway.send(
        gateway
            .request("/v1/cart")
            .header("Authorization", "Bearer " + gateway.userToken(user))
            .GET()
            .build());
  }
}
