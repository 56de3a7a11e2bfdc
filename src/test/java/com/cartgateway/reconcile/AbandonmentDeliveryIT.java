package com.cartgateway.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.events.Topics;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.Scripts;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.KafkaEvents;
import com.cartgateway.support.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Delivery of {@code cart.abandoned} and {@code cart.recovered} when a sweep dies or Kafka refuses:
 * at least once, and once in the normal case. Kafka refuses one topic at a time here (a largest
 * record of one byte on that topic), so that cart writes themselves still succeed.
 */
@DisplayName("abandonment events survive a dead sweep and a refusing Kafka")
class AbandonmentDeliveryIT {
  private static final Map<String, String> TIMER =
      Map.of(
          "CART_ROLES", "timer",
          "CART_ABANDON_AFTER_SECONDS", "1",
          "CART_ABANDON_SWEEP_MILLIS", "300");

  private static final String MAX_MESSAGE_BYTES = "max.message.bytes";

  private static Gateway http;
  private static Vertx vertx;
  private static Redis redis;
  private static Admin admin;
  private static Producer<String, String> probes;

  @BeforeAll
  static void start() {
    // Writes wait for their cart.recovered announcement, refused only after the delivery timeout.
    http = Gateway.start(Map.of("CART_ROLES", "http", "CART_REQUEST_TIMEOUT_MILLIS", "15000"));
    vertx = Vertx.vertx();
    redis = TestServices.get().redisClient(vertx);
    admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.get().kafkaBootstrap()));
    probes =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestServices.get().kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG,
                "1",
                ProducerConfig.RETRIES_CONFIG,
                0),
            new StringSerializer(),
            new StringSerializer());
  }

  @AfterAll
  static void stop() {
    probes.close();
    admin.close();
    redis.close();
    vertx.close();
    http.close();
  }

  @Test
  @DisplayName(
      "a claim whose sweep died before writing the event is taken over after the lease, once")
  void deadSweepIsTakenOver() throws Exception {
    String user = Gateway.unique("idle");
    String cartId = "u:" + user;
    addOne(user);
    long lease = http.config().claimLease().toMillis();
    long now = System.currentTimeMillis();
    // A sweep claimed the period more than a lease ago, then died before writing the event.
    Response claimed = marks(cartId, "claim", now, now - lease - 1_000, lease);
    assertThat(claimed.get(0).toString()).isEqualTo("claimed");

    List<Gateway> timers = startTimers(2);
    try {
      assertThat(KafkaEvents.await(Topics.ABANDONED, cartId, 1, Duration.ofSeconds(10)))
          .as("the next sweep reports the period")
          .hasSize(1);
      await().atMost(Duration.ofSeconds(5)).until(() -> !inIdleIndex(cartId));
      assertThat(hget(cartId, "ab")).as("the claim became the report").doesNotContain("@");
      Thread.sleep(1_500);
      assertThat(KafkaEvents.of(Topics.ABANDONED, cartId, Duration.ofMillis(300)))
          .as("and only once, with two timers running")
          .hasSize(1);
    } finally {
      closeAll(timers);
    }
  }

  @Test
  @DisplayName("a claim within its lease keeps every other timer off: the event is written once")
  void liveClaimKeepsOthersOff() throws Exception {
    String user = Gateway.unique("idle");
    String cartId = "u:" + user;
    addOne(user);
    long lease = http.config().claimLease().toMillis();
    long now = System.currentTimeMillis();
    // Another sweep holds the claim and is writing the event.
    Response claimed = marks(cartId, "claim", now, now, lease);
    assertThat(claimed.get(0).toString()).isEqualTo("claimed");
    String claim = claimed.get(2).toString();

    List<Gateway> timers = startTimers(2);
    try {
      Thread.sleep(2_500);
      assertThat(KafkaEvents.of(Topics.ABANDONED, cartId, Duration.ofMillis(300)))
          .as("no timer reports a period another sweep is reporting")
          .isEmpty();
      assertThat(inIdleIndex(cartId))
          .as("the cart stays in the index, in case the claimer dies")
          .isTrue();

      assertThat(marks(cartId, "done", claim).get(0).toString()).isEqualTo("reported");
      await().atMost(Duration.ofSeconds(5)).until(() -> !inIdleIndex(cartId));
      Thread.sleep(1_000);
      assertThat(KafkaEvents.of(Topics.ABANDONED, cartId, Duration.ofMillis(300))).isEmpty();
    } finally {
      closeAll(timers);
    }
  }

  @Test
  @DisplayName("a report Kafka refused is given back and written once Kafka accepts it again")
  void refusedReportIsRetried() throws Exception {
    String user = Gateway.unique("idle");
    String cartId = "u:" + user;
    addOne(user);
    List<Gateway> timers = startTimers(1);
    try {
      refuse(Topics.ABANDONED);
      try {
        Thread.sleep(3_000);
        assertThat(inIdleIndex(cartId)).as("not reported, so still in the index").isTrue();
      } finally {
        accept(Topics.ABANDONED);
      }
      assertThat(KafkaEvents.await(Topics.ABANDONED, cartId, 1, Duration.ofSeconds(20))).hasSize(1);
      await().atMost(Duration.ofSeconds(5)).until(() -> !inIdleIndex(cartId));
      assertThat(KafkaEvents.of(Topics.ABANDONED, cartId, Duration.ofMillis(500))).hasSize(1);
    } finally {
      closeAll(timers);
    }
  }

  @Test
  @DisplayName("a cart.recovered Kafka refused is announced by the next change, once")
  void refusedRecoveryAnnouncedByNextChange() throws Exception {
    String user = Gateway.unique("idle");
    String cartId = "u:" + user;
    Instant recoveredAt = refusedRecovery(user);

    // Two concurrent changes: only one of them takes the mark back out and announces it.
    Thread first = new Thread(() -> addOne(user));
    first.start();
    addOne(user);
    first.join();
    List<JsonObject> recovered =
        KafkaEvents.await(Topics.RECOVERED, cartId, 1, Duration.ofSeconds(10));
    assertThat(recovered).hasSize(1);
    assertThat(Instant.parse(recovered.get(0).getString("recoveredAt"))).isEqualTo(recoveredAt);
    assertThat(hget(cartId, "rec")).isNull();
    Thread.sleep(1_000);
    assertThat(KafkaEvents.of(Topics.RECOVERED, cartId, Duration.ofMillis(300))).hasSize(1);
  }

  @Test
  @DisplayName(
      "a cart.recovered Kafka refused is announced by the sweep, before the next report, once")
  void refusedRecoveryAnnouncedBySweep() throws Exception {
    String user = Gateway.unique("idle");
    String cartId = "u:" + user;
    Instant recoveredAt = refusedRecovery(user);

    List<Gateway> timers = startTimers(2);
    try {
      assertThat(KafkaEvents.await(Topics.ABANDONED, cartId, 2, Duration.ofSeconds(10)))
          .as("the cart, idle again, is reported again")
          .hasSize(2);
      List<JsonObject> recovered = KafkaEvents.of(Topics.RECOVERED, cartId, Duration.ofMillis(500));
      assertThat(recovered).as("the recovery in between is announced, once").hasSize(1);
      assertThat(Instant.parse(recovered.get(0).getString("recoveredAt"))).isEqualTo(recoveredAt);
    } finally {
      closeAll(timers);
    }
  }

  /**
   * Gets a cart reported abandoned, then changes it while Kafka refuses {@code cart.recovered};
   * checks that the change succeeded, nothing was announced and the mark is back. Returns when the
   * recovery happened.
   */
  private Instant refusedRecovery(String user) throws Exception {
    String cartId = "u:" + user;
    addOne(user);
    List<Gateway> timers = startTimers(1);
    try {
      assertThat(KafkaEvents.await(Topics.ABANDONED, cartId, 1, Duration.ofSeconds(10))).hasSize(1);
    } finally {
      closeAll(timers);
    }
    HttpResponse<String> change;
    refuse(Topics.RECOVERED);
    try {
      change = addOne(user);
    } finally {
      accept(Topics.RECOVERED);
    }
    Instant recoveredAt = Instant.parse(new JsonObject(change.body()).getString("updatedAt"));
    assertThat(KafkaEvents.of(Topics.RECOVERED, cartId, Duration.ofMillis(300)))
        .as("Kafka refused the announcement")
        .isEmpty();
    assertThat(hget(cartId, "rec"))
        .as("the mark is back for a later announcement")
        .isEqualTo(String.valueOf(recoveredAt.toEpochMilli()));
    return recoveredAt;
  }

  private static HttpResponse<String> addOne(String user) {
    String sku = Gateway.unique("SKU");
    http.putSku(sku, "2.00", "USD", 10);
    HttpResponse<String> response = http.add(user, sku, 1);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response;
  }

  private static List<Gateway> startTimers(int count) {
    List<Gateway> timers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      timers.add(Gateway.start(TIMER));
    }
    return timers;
  }

  private static void closeAll(Collection<Gateway> gateways) {
    gateways.forEach(Gateway::close);
  }

  /** Makes the broker refuse every write to the topic: each record is larger than it allows. */
  private static void refuse(String topic) throws Exception {
    alter(topic, AlterConfigOp.OpType.SET);
  }

  private static void accept(String topic) throws Exception {
    alter(topic, AlterConfigOp.OpType.DELETE);
  }

  private static void alter(String topic, AlterConfigOp.OpType op) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    admin
        .incrementalAlterConfigs(
            Map.of(
                resource, List.of(new AlterConfigOp(new ConfigEntry(MAX_MESSAGE_BYTES, "1"), op))))
        .all()
        .get(10, TimeUnit.SECONDS);
    boolean refusing = op == AlterConfigOp.OpType.SET;
    // Each broker applies the change when it gets to it: wait until the leader of every partition
    // (one broker of three, in the cluster topology) answers as it should.
    await().atMost(Duration.ofSeconds(10)).until(() -> everyPartitionAnswers(topic, refusing));
  }

  private static boolean everyPartitionAnswers(String topic, boolean refusing) throws Exception {
    for (int partition = 0; partition < TestServices.TOPICS.get(topic); partition++) {
      if (refuses(topic, partition) != refusing) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the partition's leader refuses a small record; one it accepts has a key of its own,
   * which no test looks for.
   */
  private static boolean refuses(String topic, int partition) throws Exception {
    try {
      probes
          .send(new ProducerRecord<>(topic, partition, Gateway.unique("probe"), "{}"))
          .get(10, TimeUnit.SECONDS);
      return false;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RecordTooLargeException) {
        return true;
      }
      throw e;
    }
  }

  private static Response marks(String cartId, Object... args) throws Exception {
    Request eval =
        Request.cmd(Command.EVAL)
            .arg(Scripts.CART_ABANDON.source())
            .arg(1)
            .arg(RedisKeys.cart(cartId));
    for (Object arg : args) {
      eval.arg(String.valueOf(arg));
    }
    return redis.send(eval).await(5, TimeUnit.SECONDS);
  }

  private static String hget(String cartId, String field) throws Exception {
    Response value =
        redis
            .send(Request.cmd(Command.HGET).arg(RedisKeys.cart(cartId)).arg(field))
            .await(5, TimeUnit.SECONDS);
    return value == null ? null : value.toString();
  }

  private static boolean inIdleIndex(String cartId) {
    try {
      return redis
              .send(Request.cmd(Command.ZSCORE).arg(RedisKeys.idleShardOf(cartId)).arg(cartId))
              .await(5, TimeUnit.SECONDS)
          != null;
    } catch (Exception e) {
      throw new IllegalStateException("Redis did not answer", e);
    }
  }
}
