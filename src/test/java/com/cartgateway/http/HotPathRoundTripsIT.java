package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.support.Gateway;
import com.cartgateway.support.RedisMonitor;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Redis round trips of the hot paths, counted from what Redis itself received. */
@DisplayName("hot path round trips")
class HotPathRoundTripsIT {
  private static final int READS = 5;
  private static Gateway gateway;

  @BeforeAll
  static void start() {
    // Limits on, so that the read also takes its token; high enough never to refuse here.
    gateway =
        Gateway.start(Map.of("CART_RATE_LIMIT_READS", "1000", "CART_RATE_LIMIT_WRITES", "1000"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  @DisplayName("a cart read, rate limit included, is one Redis command on the cart's slot")
  void readIsOneCommand() throws Exception {
    String user = Gateway.unique("reader");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "2.50", "USD", 10);
    assertThat(gateway.add(user, sku, 1).statusCode()).isEqualTo(200);
    String cartId = gateway.cart(user).getString("cartId");

    try (RedisMonitor monitor = RedisMonitor.start()) {
      monitor.commandsMentioning(cartId);
      for (int i = 0; i < READS; i++) {
        JsonObject cart = gateway.cart(user);
        assertThat(cart.getJsonArray("items")).hasSize(1);
      }
      List<String> commands = monitor.commandsMentioning("{" + cartId + "}");
      assertThat(commands).as("one command a read").hasSize(READS);
      assertThat(commands)
          .allSatisfy(
              command ->
                  assertThat(command)
                      .containsIgnoringCase("\"evalsha\"")
                      .contains("\"cart:{" + cartId + "}\"")
                      .contains("\"rl:{" + cartId + "}:reads\""));
    }
  }
}
