package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.Scripts;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.RedisMonitor;
import com.cartgateway.support.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("rate limits per identity")
class RateLimitIT {
  private static final AtomicInteger ADDRESSES = new AtomicInteger();

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
        HttpResponse<String> response = gateway.read(user);
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

      assertThat(gateway.read(Gateway.unique("other")).statusCode())
          .as("another identity has its own bucket")
          .isEqualTo(200);
      assertThat(gateway.send(gateway.request("/health/live").GET().build()).statusCode())
          .as("health is not limited")
          .isEqualTo(200);

      Thread.sleep(retryAfter * 1000);
      assertThat(gateway.read(user).statusCode()).isEqualTo(200);

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

  @Test
  @DisplayName(
      "a refused add holds no stock: the hold taken beside its token goes back before the 429, and"
          + " until the token is back the writer's adds take their token before any hold")
  void refusedAddHoldsNothing() throws Exception {
    Gateway gateway = Gateway.start(Map.of("CART_RATE_LIMIT_WRITES", "2"));
    Vertx vertx = Vertx.vertx();
    try {
      Redis redis = TestServices.get().redisClient(vertx);
      String user = Gateway.unique("shopper");
      String sku = Gateway.unique("SKU");
      gateway.putSku(sku, "1.00", "USD", 100);
      assertThat(gateway.add(user, sku, 1).statusCode()).isEqualTo(200);
      String cartId = gateway.cart(user).getString("cartId");
      // A debt of a thousand tokens: nothing refills it during the test, however slow the box.
      redis
          .send(
              Request.cmd(Command.HSET)
                  .arg(RedisKeys.rateLimit(cartId, "writes"))
                  .arg("tokens")
                  .arg("-1000")
                  .arg("ts")
                  .arg(System.currentTimeMillis()))
          .await(5, TimeUnit.SECONDS);

      try (RedisMonitor monitor = RedisMonitor.start()) {
        monitor.commandsMentioning(cartId);
        assertThat(gateway.add(user, sku, 1).statusCode()).isEqualTo(429);
        assertThat(gateway.sku(sku).getLong("reserved"))
            .as("the first refusal's hold went back")
            .isEqualTo(1);
        assertThat(monitor.commandsMentioning(cartId))
            .as("the first refusal's hold, beside its token, and its return")
            .filteredOn(command -> command.contains(Scripts.HOLD_ADJUST.sha()))
            .hasSize(2);

        assertThat(gateway.add(user, sku, 1).statusCode()).isEqualTo(429);
        assertThat(monitor.commandsMentioning(cartId))
            .as("refused again: no hold is sent")
            .noneMatch(command -> command.contains(Scripts.HOLD_ADJUST.sha()));
        assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(1);
      }
    } finally {
      vertx.close();
      gateway.close();
    }
  }

  @Test
  @DisplayName(
      "behind one trusted proxy, callers without identity are counted by the address it forwards,"
          + " and entries the client wrote further left change nothing")
  void behindTrustedProxy() {
    Gateway gateway =
        Gateway.start(Map.of("CART_RATE_LIMIT_READS", "2", "CART_TRUSTED_PROXY_HOPS", "1"));
    try {
      String sku = Gateway.unique("SKU");
      gateway.putSku(sku, "1.00", "USD", 10);
      String first = testAddress();
      String second = testAddress();

      int allowed = exhaust(gateway, sku, first);
      assertThat(allowed).as("a burst of twice the rate for the first client").isBetween(4, 5);
      assertThat(readSku(gateway, sku, "203.0.113.77, " + first).statusCode())
          .as("a spoofed entry left of the proxy's does not give a new bucket")
          .isEqualTo(429);
      assertThat(readSku(gateway, sku, second).statusCode())
          .as("another client behind the same proxy has its own bucket")
          .isEqualTo(200);
      String guest = Gateway.guestSession();
      assertThat(
              gateway
                  .send(
                      gateway
                          .request("/v1/cart")
                          .header("X-Cart-Session", guest)
                          .header("X-Forwarded-For", first)
                          .GET()
                          .build())
                  .statusCode())
          .as("a caller with identity is counted by it, not by the address")
          .isEqualTo(200);
    } finally {
      gateway.close();
    }
  }

  @Test
  @DisplayName(
      "without trusted proxies X-Forwarded-For is ignored: a spoofed header does not escape the"
          + " bucket of the connection's address")
  void forwardedHeaderIgnoredWithoutTrustedProxies() {
    Gateway gateway = Gateway.start(Map.of("CART_RATE_LIMIT_READS", "2"));
    try {
      String sku = Gateway.unique("SKU");
      gateway.putSku(sku, "1.00", "USD", 10);
      int allowed = exhaust(gateway, sku, testAddress());
      assertThat(allowed).isBetween(4, 5);
      assertThat(readSku(gateway, sku, testAddress()).statusCode())
          .as("another forwarded address is the same caller")
          .isEqualTo(429);
      assertThat(readSku(gateway, sku, null).statusCode()).isEqualTo(429);
    } finally {
      gateway.close();
    }
  }

  @Test
  @DisplayName(
      "a read that asks Redis itself (Cache-Control: no-cache) spends one token, not a near-cache"
          + " lease")
  void noCacheReadsSpendOneTokenEach() {
    Gateway gateway = Gateway.start(Map.of("CART_RATE_LIMIT_READS", "5"));
    try {
      String user = Gateway.unique("shopper");
      String sku = Gateway.unique("SKU");
      gateway.putSku(sku, "1.00", "USD", 10);
      assertThat(gateway.add(user, sku, 1).statusCode()).isEqualTo(200);
      int allowed = 0;
      while (gateway
              .send(
                  gateway
                      .request("/v1/cart")
                      .header("Authorization", "Bearer " + gateway.userToken(user))
                      .header("Cache-Control", "no-cache")
                      .GET()
                      .build())
              .statusCode()
          == 200) {
        allowed++;
        assertThat(allowed).as("the bucket runs out").isLessThan(30);
      }
      assertThat(allowed).as("a burst of twice the rate, one token per read").isBetween(10, 12);
    } finally {
      gateway.close();
    }
  }

  /** Reads until refused; returns how many reads were allowed. */
  private static int exhaust(Gateway gateway, String sku, String forwardedFor) {
    int allowed = 0;
    while (readSku(gateway, sku, forwardedFor).statusCode() == 200) {
      allowed++;
      assertThat(allowed).as("the bucket runs out").isLessThan(20);
    }
    return allowed;
  }

  private static HttpResponse<String> readSku(Gateway gateway, String sku, String forwardedFor) {
    HttpRequest.Builder request = gateway.request("/v1/skus/" + sku).GET();
    if (forwardedFor != null) {
      request.header("X-Forwarded-For", forwardedFor);
    }
    HttpResponse<String> response = gateway.send(request.build());
    assertThat(response.statusCode()).isIn(200, 429);
    return response;
  }

  /** A fresh documentation address (RFC 5737), so that no earlier bucket is reused. */
  private static String testAddress() {
    return "198.51.100." + ADDRESSES.incrementAndGet();
  }
}
