package com.cartgateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.support.Gateway;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the near cache against real Redis client-side caching")
class NearCacheIT {
  private static final String PREFIX = "nc:{";

  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RedisGateway redis = RedisGateway.create(vertx, Gateway.get().config().redis());
  private NearCache<String> cache;

  @BeforeEach
  void start() throws Exception {
    cache =
        NearCache.start(vertx, Gateway.get().config().redis(), 100, PREFIX, "test_near", registry);
    cache.sync().await(5, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() {
    cache.close();
    redis.close();
    vertx.close();
  }

  @Test
  @DisplayName("a kept value is served until any client changes its key, then never again")
  void servedUntilChanged() throws Exception {
    String key = key("changed");
    keep(key, "v1");
    assertThat(hit(key)).isEqualTo("v1");
    assertThat(hit(key)).as("served again, nothing changed").isEqualTo("v1");

    command(Request.cmd(Command.SET).arg(key).arg("v2"));
    cache.sync().await(5, TimeUnit.SECONDS);

    assertThat(hit(key)).as("after another client's change").isNull();
    assertThat(registry.get("test_near_reads").tag("result", "hit").functionCounter().count())
        .isEqualTo(2);
  }

  @Test
  @DisplayName(
      "a read that began before a change fills nothing, even when its answer comes after the"
          + " invalidation")
  void aReadOvertakenByAChangeFillsNothing() throws Exception {
    String key = key("overtaken");
    NearCache.Ticket<String> ticket = cache.begin(key, System.currentTimeMillis());
    assertThat(ticket).as("the cache is live").isNotNull();

    command(Request.cmd(Command.SET).arg(key).arg("new"));
    cache.sync().await(5, TimeUnit.SECONDS);
    cache.fill(ticket, "old", 0, System.currentTimeMillis());

    assertThat(hit(key)).isNull();
  }

  @Test
  @DisplayName("a change this process made is not served once Redis answered it")
  void ownChangesAreNotServed() {
    String key = key("own");
    keep(key, "before");
    cache.changed(List.of(key));
    assertThat(hit(key)).isNull();
  }

  @Test
  @DisplayName(
      "a script run through a gateway client with the near cache drops the keys it names as soon"
          + " as Redis answers, without waiting for the broadcast")
  void scriptsDropTheirKeys() throws Exception {
    // A key outside the tracked prefix: no broadcast can drop it, only the client's own notice.
    String key = "untracked:{" + Gateway.unique("own") + "}";
    keep(key, "kept");
    RedisGateway telling = RedisGateway.create(vertx, Gateway.get().config().redis(), cache);
    try {
      telling
          .eval(Scripts.LEASE_RELEASE, List.of(key), List.of("nobody"))
          .await(5, TimeUnit.SECONDS);
      assertThat(hit(key)).isNull();
    } finally {
      telling.close();
    }
  }

  @Test
  @DisplayName("a flush of Redis drops every kept value")
  void aFlushDropsEverything() throws Exception {
    String one = key("flush-one");
    String two = key("flush-two");
    keep(one, "1");
    keep(two, "2");

    try {
      command(Request.cmd(Command.FLUSHALL));
      cache.sync().await(5, TimeUnit.SECONDS);

      assertThat(hit(one)).isNull();
      assertThat(hit(two)).isNull();
    } finally {
      // The shared gateway saw Redis lose its data too; later tests need it writable again.
      Gateway.get().awaitWritable();
    }
  }

  @Test
  @DisplayName(
      "a lost tracking connection drops every kept value; the cache serves again only once a new"
          + " connection proved itself")
  void aLostConnectionDropsEverything() throws Exception {
    String key = key("lost");
    keep(key, "kept");
    double drops = registry.get("test_near_drops").functionCounter().count();

    killTrackingConnections();
    await("condition within 10 s")
        .atMost(Duration.ofSeconds(10))
        .until(() -> registry.get("test_near_drops").functionCounter().count() > drops);
    assertThat(hit(key)).isNull();
    assertThat(cache.begin(key, System.currentTimeMillis()))
        .as("not filled before tracking is back")
        .isNull();

    await("condition within 10 s")
        .atMost(Duration.ofSeconds(10))
        .until(() -> registry.get("test_near_live").gauge().value() == 1);
    keep(key, "again");
    assertThat(hit(key)).isEqualTo("again");
  }

  @Test
  @DisplayName("a limited read is served only while tokens of its lease are left")
  void leasedTokensAreSpentOnce() {
    String key = key("lease");
    NearCache.Ticket<String> ticket = cache.begin(key, System.currentTimeMillis());
    cache.fill(ticket, "v", 2, System.currentTimeMillis());

    long now = System.currentTimeMillis();
    assertThat(cache.hit(key, true, now, v -> true)).isEqualTo("v");
    assertThat(cache.hit(key, true, now, v -> true)).isEqualTo("v");
    assertThat(cache.hit(key, true, now, v -> true)).as("lease spent").isNull();
    assertThat(cache.hit(key, false, now, v -> true)).as("an unlimited read").isEqualTo("v");
    assertThat(cache.hit(key, false, now, v -> false)).as("not usable by the caller").isNull();
  }

  @Test
  @DisplayName("leases filled together end at different times, not as one wave of reads to Redis")
  void leasesFilledTogetherEndApart() {
    long now = System.currentTimeMillis();
    // Filled together, as long ago as the middle of the last quarter of a lease: about half of
    // them have ended by now. Without the spread, every one would still be served.
    long filledAt = now - (NearCache.SHORTEST_LEASE_MILLIS + NearCache.LEASE_MILLIS) / 2;
    List<String> keys = IntStream.range(0, 50).mapToObj(i -> key("together-" + i)).toList();
    for (String key : keys) {
      cache.fill(cache.begin(key, now), "v", NearCache.LEASE_TOKENS, filledAt);
    }

    long served = keys.stream().filter(key -> cache.hit(key, true, now, v -> true) != null).count();

    assertThat(served).as("leases still running, of 50").isBetween(1L, 49L);
  }

  private void keep(String key, String value) {
    NearCache.Ticket<String> ticket = cache.begin(key, System.currentTimeMillis());
    assertThat(ticket).as("the cache is live").isNotNull();
    cache.fill(ticket, value, 0, System.currentTimeMillis());
  }

  private String hit(String key) {
    return cache.hit(key, false, System.currentTimeMillis(), v -> true);
  }

  private static String key(String name) {
    return PREFIX + Gateway.unique(name) + "}";
  }

  private Response command(Request request) throws Exception {
    return redis.send(request).await(5, TimeUnit.SECONDS);
  }

  private void killTrackingConnections() throws Exception {
    for (String client : command(Request.cmd(Command.CLIENT).arg("LIST")).toString().split("\n")) {
      if (client.contains("name=" + NearCache.CONNECTION_NAME + " ")) {
        String id = client.substring(3, client.indexOf(' '));
        command(Request.cmd(Command.CLIENT).arg("KILL").arg("ID").arg(id));
      }
    }
  }
}
