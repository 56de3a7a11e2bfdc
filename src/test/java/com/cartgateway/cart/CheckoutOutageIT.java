package com.cartgateway.cart;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.support.Gateway;
import com.cartgateway.support.RedisGate;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("checkout during a Redis outage")
class CheckoutOutageIT {

  @Test
  @DisplayName(
      "a top-up that fails with an outage on any line but the first answers 503 with Retry-After,"
          + " and the checkout succeeds once Redis answers again")
  void outageOnALaterLineIsRetryable() throws Exception {
    try (RedisGate gate = RedisGate.start()) {
      Gateway gated = Gateway.start(Map.of("CART_REDIS_URL", gate.url()));
      try {
        String user = Gateway.unique("shopper");
        String first = Gateway.unique("SKU");
        String second = Gateway.unique("SKU");
        gated.putSku(first, "3.00", "USD", 10);
        gated.putSku(second, "4.00", "USD", 10);
        assertThat(gated.add(user, first, 1).statusCode()).isEqualTo(200);
        assertThat(gated.add(user, second, 2).statusCode()).isEqualTo(200);

        // Only the second line's top-up (its operation id names the SKU) gets no answer, until
        // the command deadline gives up on it.
        gate.hold(":top:" + second);
        HttpResponse<String> refused =
            CheckoutIT.checkout(gated, user, "k-" + UUID.randomUUID(), null);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(new JsonObject(refused.body()).getString("code")).isEqualTo("unavailable");

        gate.open();
        assertThat(gated.cart(user).getJsonArray("items")).as("nothing sold").hasSize(2);
        HttpResponse<String> placed =
            CheckoutIT.checkout(gated, user, "k-" + UUID.randomUUID(), null);
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
        assertThat(gated.sku(first).getLong("sold")).isEqualTo(1);
        assertThat(gated.sku(second).getLong("sold")).isEqualTo(2);
      } finally {
        gated.close();
      }
    }
  }
}
