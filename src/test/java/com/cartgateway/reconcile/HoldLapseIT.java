package com.cartgateway.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.cartgateway.dev.DevServices;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.TestServices;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Invariant 3: every hold lapses after its TTL, even if no timer ran at that moment. */
@DisplayName("soft holds lapse on time")
class HoldLapseIT {

  @Test
  @DisplayName(
      "with a timer running on its defaults, a hold lapses within TTL + 5 s and the line stays, unreserved")
  void lapsesWhileRunning() throws Exception {
    Gateway gateway =
        Gateway.start(Map.of("CART_ROLES", "http,timer", "CART_RESERVATION_TTL_SECONDS", "2"));
    try {
      String user = Gateway.unique("shopper");
      String sku = Gateway.unique("SKU");
      gateway.putSku(sku, "4.00", "USD", 10);
      MeterRegistry registry = gateway.application().clients().registry();
      double before = lapsed(registry, "notification") + lapsed(registry, "sweep");
      Instant added = Instant.now();
      assertThat(gateway.add(user, sku, 3).statusCode()).isEqualTo(200);
      assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(3);

      await("condition met before the deadline")
          .atMost(Duration.between(Instant.now(), added.plusSeconds(2 + 5)))
          .until(() -> gateway.sku(sku).getLong("reserved") == 0);
      JsonObject stock = gateway.sku(sku);
      assertThat(stock.getLong("available")).isEqualTo(10);
      JsonObject cart = gateway.cart(user);
      JsonObject line = cart.getJsonArray("items").getJsonObject(0);
      assertThat(line.getInteger("quantity")).isEqualTo(3);
      assertThat(line.getValue("reservation")).isNull();
      assertThat(cart.getLong("version")).as("a lapse changes the cart's ETag").isEqualTo(2);
      assertThat(cart.getJsonArray("warnings").getJsonObject(0).getString("code"))
          .isEqualTo("hold_expired");
      // Released once, whichever path saw it first: available is back to 10, not 13. The counters
      // may also count another test's leftover holds lapsing meanwhile, hence at least.
      assertThat(lapsed(registry, "notification") + lapsed(registry, "sweep") - before)
          .isGreaterThanOrEqualTo(3);
    } finally {
      gateway.close();
    }
  }

  /**
   * Redis sends an expiry notification only once it notices the expiry: on access, or when its
   * sampling expiry cycle reaches the key, which on a Redis full of volatile keys (idempotency
   * records, buckets) may take longer than any bound. So the sweep is what bounds the lapse, and
   * this test touches the expired marker, as any reader would, to show the notification path alone
   * returns the hold.
   */
  @Test
  @DisplayName(
      "the expiry notification alone returns a hold, without waiting for a sweep, on every master")
  void notificationReturnsHold() throws Exception {
    Gateway gateway = notificationTimer();
    Vertx vertx = Vertx.vertx();
    try {
      Redis redis = TestServices.get().redisClient(vertx);
      String user = Gateway.unique("shopper");
      // In a cluster each master publishes only its own keys' expiries: SKUs on every master.
      List<String> skus = onEveryMaster(redis);
      MeterRegistry registry = gateway.application().clients().registry();
      awaitFirstSweep(registry);
      double byNotification = lapsed(registry, "notification");
      double bySweep = lapsed(registry, "sweep");
      for (String sku : skus) {
        gateway.putSku(sku, "4.00", "USD", 10);
        assertThat(gateway.add(user, sku, 3).statusCode()).isEqualTo(200);
      }
      Thread.sleep(1_500);

      await("condition met before the deadline")
          .atMost(Duration.between(Instant.now(), Instant.now().plusSeconds(5)))
          .until(
              () -> {
                skus.forEach(sku -> touchHoldMarker(redis, sku, "u:" + user));
                return skus.stream().allMatch(sku -> gateway.sku(sku).getLong("reserved") == 0);
              });
      for (String sku : skus) {
        assertThat(gateway.sku(sku).getLong("available")).isEqualTo(10);
      }
      // At least: a leftover hold of another test may lapse meanwhile and count too. The one sweep
      // ran at start, before this hold existed.
      assertThat(lapsed(registry, "notification") - byNotification)
          .isGreaterThanOrEqualTo(3 * skus.size());
      assertThat(lapsed(registry, "sweep") - bySweep).isZero();
      redis.close();
    } finally {
      vertx.close();
      gateway.close();
    }
  }

  @Test
  @DisplayName(
      "after a master fails over to its replica, the expiry events of the new master return holds")
  void notificationsFollowAFailover() throws Exception {
    assumeTrue(
        TestServices.topology() == DevServices.Topology.CLUSTER,
        "needs the Redis Cluster topology");
    Gateway gateway = notificationTimer();
    Vertx vertx = Vertx.vertx();
    try {
      Redis redis = TestServices.get().redisClient(vertx);
      Response shard = rangeOf(redis, 0);
      String replica = "redis://" + shard.get(3).get(0) + ":" + shard.get(3).get(1);
      int replicaPort = shard.get(3).get(1).toInteger();
      // A coordinated failover: the old master lives on as a replica, so no connection breaks and
      // only the check of the masters can tell the timer to subscribe to the new one.
      Redis promoted = Redis.createClient(vertx, replica);
      promoted.send(Request.cmd(Command.CLUSTER).arg("FAILOVER")).await(5, TimeUnit.SECONDS);
      promoted.close();
      await("the replica serves slot 0")
          .atMost(Duration.ofSeconds(30))
          .until(() -> rangeOf(redis, 0).get(2).get(1).toInteger() == replicaPort);

      MeterRegistry registry = gateway.application().clients().registry();
      awaitFirstSweep(registry);
      double byNotification = lapsed(registry, "notification");
      double bySweep = lapsed(registry, "sweep");
      // Once the timer follows, a hold on the new master lapses by its event (the sweep is ten
      // minutes away); a marker that expired before that published to nobody, so each try is new.
      await("a hold on the new master returned by its expiry event")
          .atMost(Duration.ofSeconds(60))
          .until(() -> lapsesByItsEvent(gateway, redis, onSlotRange(redis, shard)));
      assertThat(lapsed(registry, "notification") - byNotification).isPositive();
      assertThat(lapsed(registry, "sweep") - bySweep).isZero();
      redis.close();
    } finally {
      vertx.close();
      gateway.close();
    }
  }

  /** A gateway with the timer role, holds of a second, and the sweep ten minutes away. */
  private static Gateway notificationTimer() {
    return Gateway.start(
        Map.of(
            "CART_ROLES",
            "http,timer",
            "CART_RESERVATION_TTL_SECONDS",
            "1",
            "CART_HOLD_SWEEP_MILLIS",
            "600000"));
  }

  /** One try: a new hold of a second on the SKU, touched until it lapses or 5 s have passed. */
  private static boolean lapsesByItsEvent(Gateway gateway, Redis redis, String sku) {
    String user = Gateway.unique("shopper");
    gateway.putSku(sku, "4.00", "USD", 10);
    assertThat(gateway.add(user, sku, 1).statusCode()).isEqualTo(200);
    try {
      await("the hold lapses")
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> {
                touchHoldMarker(redis, sku, "u:" + user);
                return gateway.sku(sku).getLong("reserved") == 0;
              });
      return true;
    } catch (org.awaitility.core.ConditionTimeoutException notYet) {
      return false;
    }
  }

  private static int skuSlot(Redis redis, String sku) throws TimeoutException {
    return redis
        .send(Request.cmd(Command.CLUSTER).arg("KEYSLOT").arg(RedisKeys.sku(sku)))
        .await(5, TimeUnit.SECONDS)
        .toInteger();
  }

  /** The CLUSTER SLOTS range that holds the slot: [first, last, master, replicas...]. */
  private static Response rangeOf(Redis redis, int slot) throws TimeoutException {
    for (Response range :
        redis.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).await(5, TimeUnit.SECONDS)) {
      if (range.get(0).toInteger() <= slot && slot <= range.get(1).toInteger()) {
        return range;
      }
    }
    throw new IllegalStateException("no range holds slot " + slot);
  }

  /** A new SKU whose key lies in the range. */
  private static String onSlotRange(Redis redis, Response range) throws TimeoutException {
    while (true) {
      String sku = Gateway.unique("SKU");
      int slot = skuSlot(redis, sku);
      if (range.get(0).toInteger() <= slot && slot <= range.get(1).toInteger()) {
        return sku;
      }
    }
  }

  @Test
  @DisplayName("a hold that lapsed while no timer ran is returned soon after a timer starts")
  void lapsesAfterTimerStarts() throws Exception {
    Gateway http = Gateway.start(Map.of("CART_ROLES", "http", "CART_RESERVATION_TTL_SECONDS", "1"));
    String user = Gateway.unique("shopper");
    Vertx vertx = Vertx.vertx();
    try {
      // The sweep walks every SKU's expiry index, wherever its slot is: SKUs on every master.
      List<String> skus = onEveryMaster(TestServices.get().redisClient(vertx));
      for (String sku : skus) {
        http.putSku(sku, "4.00", "USD", 10);
        assertThat(http.add(user, sku, 4).statusCode()).isEqualTo(200);
      }
      Thread.sleep(2_500);
      for (String sku : skus) {
        assertThat(http.sku(sku).getLong("reserved")).as("nobody returned it yet").isEqualTo(4);
      }

      Gateway timer = Gateway.start(Map.of("CART_ROLES", "timer", "CART_HOLD_SWEEP_MILLIS", "500"));
      try {
        MeterRegistry registry = timer.application().clients().registry();
        await("condition met before the deadline")
            .atMost(Duration.between(Instant.now(), Instant.now().plusSeconds(5)))
            .until(() -> skus.stream().allMatch(sku -> http.sku(sku).getLong("reserved") == 0));
        for (String sku : skus) {
          assertThat(http.sku(sku).getLong("available")).isEqualTo(10);
        }
        // the sweep, or Redis noticing the expired marker now that a timer listens
        // the timer's own registry, new with it: it counts only what this timer returned
        assertThat(lapsed(registry, "notification") + lapsed(registry, "sweep"))
            .isGreaterThanOrEqualTo(4 * skus.size());
      } finally {
        timer.close();
      }
    } finally {
      vertx.close();
      http.close();
    }
  }

  @Test
  @DisplayName(
      "changing a line before its hold lapses renews the hold; adding after a lapse holds the whole line again")
  void renewAndRehold() throws Exception {
    Gateway gateway =
        Gateway.start(
            Map.of(
                "CART_ROLES",
                "http,timer",
                "CART_RESERVATION_TTL_SECONDS",
                "2",
                "CART_HOLD_SWEEP_MILLIS",
                "300"));
    try {
      String user = Gateway.unique("shopper");
      String sku = Gateway.unique("SKU");
      gateway.putSku(sku, "4.00", "USD", 10);
      assertThat(gateway.add(user, sku, 1).statusCode()).isEqualTo(200);
      Thread.sleep(1_200);
      assertThat(gateway.add(user, sku, 1).statusCode()).isEqualTo(200);
      Thread.sleep(1_200);
      assertThat(gateway.sku(sku).getLong("reserved")).as("renewed by the second add").isEqualTo(2);
      await("condition met before the deadline")
          .atMost(Duration.between(Instant.now(), Instant.now().plusSeconds(5)))
          .until(() -> gateway.sku(sku).getLong("reserved") == 0);
      JsonObject again = new JsonObject(gateway.add(user, sku, 1).body());
      JsonObject line = again.getJsonArray("items").getJsonObject(0);
      assertThat(line.getInteger("quantity")).isEqualTo(3);
      assertThat(line.getJsonObject("reservation").getInteger("quantity"))
          .as("an add changes the line, so all of it is held again")
          .isEqualTo(3);
      assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(3);
      // returned now, so that its lapse does not count in the next test's metrics
      assertThat(gateway.clear(user).statusCode()).isEqualTo(200);
    } finally {
      gateway.close();
    }
  }

  /** An access makes Redis expire a due key and send its notification. */
  private static void touchHoldMarker(Redis redis, String sku, String cartId) {
    try {
      redis
          .send(Request.cmd(Command.EXISTS).arg(RedisKeys.skuHoldMarker(sku, cartId)))
          .await(5, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Redis did not answer", e);
    }
  }

  /**
   * New SKUs, one on each master: one SKU on a single Redis; in a cluster, SKUs made up until each
   * master's slots hold one (CLUSTER SLOTS says which slots each master serves).
   */
  private static List<String> onEveryMaster(Redis redis) throws TimeoutException {
    if (TestServices.topology() != DevServices.Topology.CLUSTER) {
      return List.of(Gateway.unique("SKU"));
    }
    Response ranges =
        redis.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).await(5, TimeUnit.SECONDS);
    Map<String, String> byMaster = new HashMap<>();
    Set<String> masters = new HashSet<>();
    for (Response range : ranges) {
      masters.add(range.get(2).get(1).toString());
    }
    while (byMaster.size() < masters.size()) {
      String sku = Gateway.unique("SKU");
      int slot = skuSlot(redis, sku);
      for (Response range : ranges) {
        if (range.get(0).toInteger() <= slot && slot <= range.get(1).toInteger()) {
          byMaster.putIfAbsent(range.get(2).get(1).toString(), sku);
        }
      }
    }
    return List.copyOf(byMaster.values());
  }

  /**
   * The timer's first sweep runs at its start and may take a while over the SKUs earlier tests
   * left; a hold placed meanwhile could lapse by it.
   */
  private static void awaitFirstSweep(MeterRegistry registry) {
    await("the first hold sweep ended")
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                registry
                        .find("cart_sweep_duration_seconds")
                        .tag("sweep", "hold sweep")
                        .timers()
                        .stream()
                        .mapToLong(Timer::count)
                        .sum()
                    > 0);
  }

  private static double lapsed(MeterRegistry registry, String source) {
    var counter = registry.find("cart_holds_lapsed_units").tag("source", source).counter();
    return counter == null ? 0 : counter.count();
  }
}
