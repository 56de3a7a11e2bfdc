package com.cartgateway.cart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.store.RedisKeys;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.TestServices;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code cart_active_carts} against the idle index. Its own gateway keeps the default abandonment
 * time, so that no cart leaves the index while the test looks: with the short one of {@link
 * CartMetricsIT}, the index shrank under the test, down to nothing on a loaded machine.
 */
@DisplayName("active carts")
class ActiveCartsIT {
  private static Gateway gateway;
  private static Vertx vertx;
  private static Redis redis;

  @BeforeAll
  static void start() {
    gateway = Gateway.start(Map.of("CART_ROLES", "http,timer", "CART_ABANDON_SWEEP_MILLIS", "300"));
    vertx = Vertx.vertx();
    redis = TestServices.get().redisClient(vertx);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    vertx.close();
  }

  @Test
  @DisplayName("follow the size of the idle index, sampled by the timer role")
  void followTheIdleIndex() throws Exception {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 10);
    gateway.add(Gateway.unique("active"), sku, 1);
    Gauge active = gateway.application().clients().registry().find("cart_active_carts").gauge();
    long before = indexed();
    awaitGauge(active, before);

    gateway.add(Gateway.unique("active"), sku, 1);
    assertThat(indexed()).isEqualTo(before + 1);
    awaitGauge(active, before + 1);
  }

  private static void awaitGauge(Gauge active, long expected) {
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(active.value())
                    .as("cart_active_carts, against the idle index")
                    .isEqualTo((double) expected));
  }

  private static long indexed() throws Exception {
    long sum = 0;
    for (int shard = 0; shard < RedisKeys.IDLE_SHARDS; shard++) {
      sum +=
          redis
              .send(Request.cmd(Command.ZCARD).arg(RedisKeys.idleShard(shard)))
              .await(5, TimeUnit.SECONDS)
              .toLong();
    }
    return sum;
  }
}
