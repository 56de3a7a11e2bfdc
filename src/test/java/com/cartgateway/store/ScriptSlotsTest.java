package com.cartgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every script touches one cluster slot: {@link RedisGateway#eval} refuses keys of several slots
 * before anything is sent, so that every script call of the standalone test suite is checked for
 * what a Redis Cluster would refuse.
 */
@DisplayName("a script call")
class ScriptSlotsTest {
  private final Vertx vertx = Vertx.vertx();
  // Nothing listens there: a call that passed the check would fail to connect, not be refused.
  private final RedisGateway redis =
      RedisGateway.create(
          vertx,
          new AppConfig.Redis(
              List.of("redis://127.0.0.1:1"), false, 1, Duration.ofMillis(200), 0, Duration.ZERO));

  @AfterEach
  void close() {
    redis.close();
    vertx.close();
  }

  @Test
  @DisplayName("with keys of two slots is refused before it is sent, naming the script and keys")
  void crossSlotRefused() {
    Future<Response> reply =
        redis.eval(
            Scripts.CART_READ,
            List.of(RedisKeys.cart("u:alice"), RedisKeys.cart("u:bob")),
            List.of());
    assertThat(reply.failed()).isTrue();
    assertThat(reply.cause())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Scripts.CART_READ.name())
        .hasMessageContaining("cart:{u:alice}");
  }

  @Test
  @DisplayName("with every key under one hash tag goes to Redis")
  void oneSlotSent() {
    Future<Response> reply =
        redis.eval(
            Scripts.CART_READ,
            List.of(RedisKeys.cart("u:alice"), RedisKeys.cartOp("u:alice", "op-1")),
            List.of());
    assertThat(reply.failed() && reply.cause() instanceof IllegalArgumentException).isFalse();
  }
}
