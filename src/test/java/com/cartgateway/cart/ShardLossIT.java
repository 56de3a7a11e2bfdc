package com.cartgateway.cart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.cartgateway.dev.DevServices;
import com.cartgateway.dynamo.DynamoCarts;
import com.cartgateway.dynamo.DynamoTables;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.support.CartBodies;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/**
 * Invariant 2 on a Redis Cluster: a shard that loses its data (flushed here, as a failover to an
 * empty replica or a restart without persistence leaves it) is rebuilt only from a caught-up
 * DynamoDB, and holds back only its own carts and SKUs. Runs in the cluster execution; on a single
 * Redis, {@link RedisLossIT} is the same test.
 */
@DisplayName("a Redis shard that loses its data")
class ShardLossIT {
  private static Vertx vertx;
  private static Redis cluster;
  private static DynamoDbAsyncClient dynamoClient;
  private static DynamoCarts dynamo;
  private final Gateway gateway = Gateway.get();

  @BeforeAll
  static void clients() {
    assumeTrue(
        TestServices.topology() == DevServices.Topology.CLUSTER,
        "needs the Redis Cluster topology");
    vertx = Vertx.vertx();
    cluster = TestServices.get().redisClient(vertx);
    dynamoClient = DynamoTables.client(Gateway.get().config().dynamoDb());
    dynamo = new DynamoCarts(dynamoClient, Gateway.get().config().dynamoDb().cartsTable());
  }

  @AfterAll
  static void close() {
    if (vertx != null) {
      Gateway.get().awaitWritable();
      dynamoClient.close();
      vertx.close();
    }
  }

  @Test
  @DisplayName(
      "a lost cart waits until the worker has persisted its acknowledged change, a lost SKU until"
          + " the catalog is back; the carts and SKUs of the other shards go on meanwhile")
  void rebuiltOnlyFromACaughtUpStore() throws Exception {
    List<Master> masters = masters();
    Master lost = masters.get(0);
    Master whole = masters.get(1);
    String user = on(lost, u -> RedisKeys.cart("u:" + u), "shopper");
    String other = on(whole, u -> RedisKeys.cart("u:" + u), "shopper");
    String kept = on(whole, RedisKeys::sku, "SKU");
    String gone = on(lost, RedisKeys::sku, "SKU");
    gateway.putSku(kept, "2.00", "USD", 10);
    gateway.putSku(gone, "1.00", "USD", 10);
    CartBodies.awaitDurable(dynamo, "u:" + user, CartBodies.version(gateway.add(user, kept, 1)));
    CartBodies.awaitDurable(dynamo, "u:" + other, CartBodies.version(gateway.add(other, kept, 1)));

    long unpersisted;
    try (AutoCloseable unreachable = TestServices.suspend(TestServices.get().dynamoDb())) {
      unpersisted = CartBodies.version(gateway.add(user, kept, 1));
      flush(lost);

      HttpResponse<String> refused = gateway.add(user, kept, 1);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
      HttpResponse<String> unknownYet = gateway.add(other, gone, 1);
      assertThat(unknownYet.statusCode())
          .as("a SKU of the lost shard is not back yet, not unknown: " + unknownYet.body())
          .isEqualTo(503);
      HttpResponse<String> goesOn = gateway.add(other, kept, 1);
      assertThat(goesOn.statusCode()).as(goesOn.body()).isEqualTo(200);
    }

    HttpResponse<String> later =
        await("a write to the lost cart once the worker caught up")
            .atMost(Duration.ofSeconds(60))
            .until(() -> gateway.add(user, kept, 1), answer -> answer.statusCode() != 503);
    assertThat(later.statusCode()).as(later.body()).isEqualTo(200);
    JsonObject cart = new JsonObject(later.body());
    assertThat(CartBodies.quantities(cart))
        .as("the change acknowledged before the shard lost the cart is not lost")
        .isEqualTo(Map.of(kept, 3));
    assertThat(cart.getLong("version")).isGreaterThan(unpersisted);
    HttpResponse<String> restored =
        await("the lost shard's SKU once the catalog is back")
            .atMost(Duration.ofSeconds(60))
            .until(() -> gateway.add(other, gone, 1), answer -> answer.statusCode() != 503);
    assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
  }

  @Test
  @DisplayName(
      "while a lost shard waits out its publish window, a new cart of another shard is taken at"
          + " once and a new cart of the lost shard waits")
  void onlyTheLostShardWaits() throws Exception {
    // A publish window of four minutes: the lost shard certainly waits while this test looks.
    Gateway patient =
        Gateway.start(
            Map.of(),
            new JsonObject().put("kafka", new JsonObject().put("deliveryTimeoutMillis", 120_000)));
    try {
      List<Master> masters = masters();
      Master lost = masters.get(0);
      Master whole = masters.get(1);
      String sku = on(whole, RedisKeys::sku, "SKU");
      patient.putSku(sku, "1.00", "USD", 100);
      // Every shard past its window and caught up, as on a cluster that has run for a while.
      await("every shard writable")
          .atMost(Duration.ofSeconds(60))
          .until(() -> ageEpochs(masters) && allWritable(patient));

      flush(lost);

      HttpResponse<String> taken =
          patient.add(on(whole, u -> RedisKeys.cart("u:" + u), "shopper"), sku, 1);
      assertThat(taken.statusCode()).as(taken.body()).isEqualTo(200);
      HttpResponse<String> waits =
          patient.add(on(lost, u -> RedisKeys.cart("u:" + u), "shopper"), sku, 1);
      assertThat(waits.statusCode()).as(waits.body()).isEqualTo(503);
      assertThat(waits.headers().firstValue("Retry-After")).isPresent();
      JsonObject ready =
          await("readiness shows the lost shard's new epoch")
              .atMost(Duration.ofSeconds(10))
              .until(
                  () -> readiness(patient),
                  r ->
                      "publish_window"
                          .equals(
                              r.getJsonObject("shards")
                                  .getString(Integer.toString(lost.firstSlot()))));
      assertThat(ready.getJsonObject("shards").getString(Integer.toString(whole.firstSlot())))
          .isEqualTo("writable");
      assertThat(ready.getString("status"))
          .as("the process serves the other shards' carts, so it stays ready")
          .isEqualTo("UP");
    } finally {
      patient.close();
    }
  }

  /** A master of the cluster: its address and the first slot it serves. */
  private record Master(String host, int port, int firstSlot, List<int[]> ranges) {
    boolean serves(int slot) {
      return ranges.stream().anyMatch(r -> r[0] <= slot && slot <= r[1]);
    }
  }

  private static List<Master> masters() throws Exception {
    Map<String, Master> byAddress = new TreeMap<>();
    for (Response range : send(Request.cmd(Command.CLUSTER).arg("SLOTS"))) {
      int first = range.get(0).toInteger();
      int last = range.get(1).toInteger();
      String host = range.get(2).get(0).toString();
      int port = range.get(2).get(1).toInteger();
      Master known =
          byAddress.computeIfAbsent(
              host + ":" + port, a -> new Master(host, port, first, new ArrayList<>()));
      known.ranges().add(new int[] {first, last});
      if (first < known.firstSlot()) {
        byAddress.put(host + ":" + port, new Master(host, port, first, known.ranges()));
      }
    }
    assertThat(byAddress).as("masters of the test cluster").hasSizeGreaterThanOrEqualTo(2);
    return List.copyOf(byAddress.values());
  }

  /** A new id whose key (as {@code key} names it) lies on the master. */
  private static String on(Master master, Function<String, String> key, String prefix)
      throws Exception {
    while (true) {
      String id = Gateway.unique(prefix);
      int slot = send(Request.cmd(Command.CLUSTER).arg("KEYSLOT").arg(key.apply(id))).toInteger();
      if (master.serves(slot)) {
        return id;
      }
    }
  }

  /** Flushes one master; its replica follows, as a shard that came back empty. */
  private static void flush(Master master) throws Exception {
    Redis node = Redis.createClient(vertx, "redis://" + master.host() + ":" + master.port());
    try {
      node.send(Request.cmd(Command.FLUSHALL)).await(10, TimeUnit.SECONDS);
    } finally {
      node.close();
    }
  }

  /** Moves every shard's epoch an hour back; true once done. */
  private static boolean ageEpochs(List<Master> masters) throws Exception {
    long hourAgo = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
    for (Master master : masters) {
      send(
          Request.cmd(Command.HSET)
              .arg(RedisKeys.epoch(master.firstSlot()))
              .arg("since")
              .arg(hourAgo));
    }
    return true;
  }

  private static boolean allWritable(Gateway gateway) {
    JsonObject shards = readiness(gateway).getJsonObject("shards");
    return shards != null
        && !shards.isEmpty()
        && shards.stream().allMatch(shard -> "writable".equals(shard.getValue()));
  }

  private static JsonObject readiness(Gateway gateway) {
    return new JsonObject(gateway.send(gateway.request("/health/ready").GET().build()).body());
  }

  private static Response send(Request request) throws Exception {
    return cluster.send(request).await(5, TimeUnit.SECONDS);
  }
}
