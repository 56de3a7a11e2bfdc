package com.cartgateway.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.events.Topics;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.KafkaEvents;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("idle carts become cart.abandoned events, once per idle period")
class AbandonmentIT {
  private static Gateway gateway;

  @BeforeAll
  static void start() {
    gateway =
        Gateway.start(
            Map.of(
                "CART_ROLES", "http,timer",
                "CART_ABANDON_AFTER_SECONDS", "2",
                "CART_ABANDON_SWEEP_MILLIS", "300"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  @DisplayName(
      "one event after the idle time, none before, none twice, with owner, items and subtotal")
  void onceAfterIdle() throws Exception {
    String user = Gateway.unique("idle");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "4.50", "USD", 10);
    gateway.add(user, sku, 2);
    Thread.sleep(1_000);
    assertThat(KafkaEvents.of(Topics.ABANDONED, "u:" + user, Duration.ofMillis(300))).isEmpty();

    List<JsonObject> events =
        KafkaEvents.await(Topics.ABANDONED, "u:" + user, 1, Duration.ofSeconds(6));
    assertThat(events).hasSize(1);
    JsonObject event = events.get(0);
    assertThat(event.getJsonObject("owner"))
        .isEqualTo(new JsonObject().put("type", "user").put("id", user));
    assertThat(event.getString("subtotal")).isEqualTo("9.00");
    assertThat(event.getJsonArray("items").getJsonObject(0).getInteger("quantity")).isEqualTo(2);
    assertThat(event.getString("idleSince")).isNotBlank();

    Thread.sleep(2_500);
    assertThat(KafkaEvents.of(Topics.ABANDONED, "u:" + user, Duration.ofMillis(500)))
        .as("the same idle period is not reported twice")
        .hasSize(1);
  }

  @Test
  @DisplayName(
      "a change after the report publishes cart.recovered once and re-arms the next report")
  void recoveredAndRearmed() {
    String user = Gateway.unique("idle");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 10);
    gateway.add(user, sku, 1);
    assertThat(KafkaEvents.await(Topics.ABANDONED, "u:" + user, 1, Duration.ofSeconds(6)))
        .hasSize(1);

    gateway.add(user, sku, 1);
    gateway.add(user, sku, 1);
    List<JsonObject> recovered =
        KafkaEvents.await(Topics.RECOVERED, "u:" + user, 1, Duration.ofSeconds(5));
    assertThat(recovered).hasSize(1);
    assertThat(recovered.get(0).getString("cartId")).isEqualTo("u:" + user);

    List<JsonObject> again =
        KafkaEvents.await(Topics.ABANDONED, "u:" + user, 2, Duration.ofSeconds(7));
    assertThat(again).hasSize(2);
    assertThat(again.get(1).getJsonArray("items").getJsonObject(0).getInteger("quantity"))
        .isEqualTo(3);
    assertThat(KafkaEvents.of(Topics.RECOVERED, "u:" + user, Duration.ofMillis(300))).hasSize(1);
  }

  @Test
  @DisplayName("checkout or clear before the idle time cancels the report")
  void cancelledByCheckoutOrClear() throws Exception {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 10);
    String buyer = Gateway.unique("buyer");
    String clearer = Gateway.unique("clearer");
    gateway.add(buyer, sku, 1);
    gateway.add(clearer, sku, 1);
    assertThat(
            gateway
                .send(
                    gateway
                        .request("/v1/cart/checkout")
                        .header("Authorization", "Bearer " + gateway.userToken(buyer))
                        .header("Idempotency-Key", "abandon-" + buyer)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build())
                .statusCode())
        .isEqualTo(201);
    assertThat(gateway.clear(clearer).statusCode()).isEqualTo(200);
    Thread.sleep(3_500);
    assertThat(KafkaEvents.of(Topics.ABANDONED, "u:" + buyer, Duration.ofMillis(300))).isEmpty();
    assertThat(KafkaEvents.of(Topics.ABANDONED, "u:" + clearer, Duration.ofMillis(300))).isEmpty();
  }
}
