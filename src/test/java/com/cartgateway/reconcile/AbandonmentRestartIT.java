package com.cartgateway.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.events.Topics;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.KafkaEvents;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the idle index survives restarts of every process")
class AbandonmentRestartIT {

  @Test
  @DisplayName("a cart that went idle while no timer ran is reported once a timer starts")
  void foundAfterTimerStarts() throws Exception {
    String user = Gateway.unique("idle");
    Gateway httpOnly = Gateway.start(Map.of("CART_ROLES", "http"));
    try {
      String sku = Gateway.unique("SKU");
      httpOnly.putSku(sku, "1.00", "USD", 10);
      httpOnly.add(user, sku, 1);
    } finally {
      httpOnly.close();
    }
    Thread.sleep(1_500);
    assertThat(KafkaEvents.of(Topics.ABANDONED, "u:" + user, Duration.ofMillis(300)))
        .as("no timer has run")
        .isEmpty();
    Gateway timer =
        Gateway.start(
            Map.of(
                "CART_ROLES", "timer",
                "CART_ABANDON_AFTER_SECONDS", "1",
                "CART_ABANDON_SWEEP_MILLIS", "300"));
    try {
      assertThat(KafkaEvents.await(Topics.ABANDONED, "u:" + user, 1, Duration.ofSeconds(6)))
          .hasSize(1);
    } finally {
      timer.close();
    }
  }
}
