package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.store.LuaScript;
import com.cartgateway.store.Scripts;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.RedisGate;
import com.cartgateway.support.RedisMonitor;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  @DisplayName(
      "a cart read that goes to Redis (Cache-Control: no-cache), rate limit included, is one"
          + " command on the cart's slot")
  void readIsOneCommand() throws Exception {
    String user = Gateway.unique("reader");
    String cartId = cartWithALine(user, Gateway.unique("SKU"));

    try (RedisMonitor monitor = RedisMonitor.start()) {
      monitor.commandsMentioning(cartId);
      for (int i = 0; i < READS; i++) {
        assertThat(read(user, "no-cache").getJsonArray("items")).hasSize(1);
      }
      List<String> commands = monitor.commandsMentioning("{" + cartId + "}");
      assertThat(commands).as("one command per read").hasSize(READS);
      assertThat(commands).allSatisfy(HotPathRoundTripsIT::isCartRead);
    }
  }

  @Test
  @DisplayName(
      "reads of a cart nothing changed are answered from the near cache with no Redis command, its"
          + " rate-limit tokens included; the first read after a change goes to Redis")
  void unchangedCartIsReadFromMemory() throws Exception {
    String user = Gateway.unique("browser");
    String sku = Gateway.unique("SKU");
    String cartId = cartWithALine(user, sku);

    try (RedisMonitor monitor = RedisMonitor.start()) {
      monitor.commandsMentioning(cartId);
      assertThat(gateway.add(user, sku, 1).statusCode()).isEqualTo(200);
      // Every command of the add has reached Redis (see addIsThreeScripts), and the near cache
      // has every invalidation they caused.
      monitor.commandsMentioning(cartId, 7);
      gateway.application().clients().nearCache().sync().await(5, TimeUnit.SECONDS);

      for (int i = 0; i < READS; i++) {
        assertThat(read(user, null).getJsonArray("items").getJsonObject(0).getInteger("quantity"))
            .isEqualTo(2);
      }
      List<String> commands = monitor.commandsMentioning("{" + cartId + "}");
      assertThat(commands).as("only the first read went to Redis: " + commands).hasSize(1);
      assertThat(commands).allSatisfy(HotPathRoundTripsIT::isCartRead);
    }
  }

  @Test
  @DisplayName(
      "an add to a cart Redis has is three scripts (the hold, the cart's first step with the rate"
          + " limit, the change) and only the bookkeeping that cannot be folded into them")
  void addIsThreeScripts() throws Exception {
    String user = Gateway.unique("writer");
    String sku = Gateway.unique("SKU");
    String cartId = cartWithALine(gateway, user, sku);

    try (RedisMonitor monitor = RedisMonitor.start()) {
      monitor.commandsMentioning(cartId);
      assertThat(gateway.add(user, sku, 1).statusCode()).isEqualTo(200);
      // The mark's removal and the hot-set expiry follow the ack unwaited: wait for all seven.
      List<String> commands = monitor.commandsMentioning(cartId, 7);
      assertThat(commands.stream().map(HotPathRoundTripsIT::name).toList())
          .as("every command an add sends about its cart: " + commands)
          .containsExactlyInAnyOrder(
              "evalsha " + Scripts.CART_BEGIN.name(),
              "evalsha " + Scripts.HOLD_ADJUST.name(),
              "evalsha " + Scripts.CART_ADD.name(),
              // the unpublished mark (beside the first scripts), and its removal after the ack
              "zadd",
              "zrem",
              // the idle index (beside the Kafka send) and the hot-set expiry (after the ack)
              "zadd",
              "pexpire");
      assertThat(commands.stream().map(HotPathRoundTripsIT::name).toList())
          .as("the change is the last script")
          .filteredOn(name -> name.startsWith("evalsha"))
          .last()
          .isEqualTo("evalsha " + Scripts.CART_ADD.name());
    }
  }

  @Test
  @DisplayName(
      "an add is two Redis round trips before the Kafka send: the hold goes beside the cart's first"
          + " step, then the change")
  void addIsTwoRoundTrips() throws Exception {
    try (RedisGate gate = RedisGate.start()) {
      Gateway gated =
          Gateway.start(Map.of("CART_REDIS_URL", gate.url(), "CART_RATE_LIMIT_WRITES", "1000"));
      try {
        String user = Gateway.unique("writer");
        String sku = Gateway.unique("SKU");
        String cartId = cartWithALine(gated, user, sku);

        gate.hold(cartId);
        CompletableFuture<Integer> add =
            CompletableFuture.supplyAsync(() -> gated.add(user, sku, 1).statusCode());
        String first =
            gate.awaitWaiting(
                // The unpublished mark goes in the same round trip, maybe on another connection: a
                // release before it arrives would hold it, and the change behind it, for good.
                waiting ->
                    waiting.contains(Scripts.CART_BEGIN.sha())
                        && waiting.contains(Scripts.HOLD_ADJUST.sha())
                        && waiting.contains("zadd"),
                Duration.ofSeconds(20));
        assertThat(first)
            .as("the change waits for the hold")
            .doesNotContain(Scripts.CART_ADD.sha());

        gate.release();
        String second =
            gate.awaitWaiting(
                waiting -> waiting.contains(Scripts.CART_ADD.sha()), Duration.ofSeconds(20));
        assertThat(second)
            .as("nothing else about the cart goes to Redis in between")
            .doesNotContain(Scripts.HOLD_ADJUST.sha())
            .doesNotContain(Scripts.CART_BEGIN.sha());

        gate.open();
        assertThat(add.get(20, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(gated.sku(sku).getLong("reserved")).isEqualTo(2);
      } finally {
        gated.close();
      }
    }
  }

  private static JsonObject read(String user, String cacheControl) {
    HttpRequest.Builder request =
        gateway.request("/v1/cart").header("Authorization", "Bearer " + gateway.userToken(user));
    if (cacheControl != null) {
      request.header("Cache-Control", cacheControl);
    }
    HttpResponse<String> response = gateway.send(request.GET().build());
    assertThat(response.statusCode()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private static void isCartRead(String command) {
    assertThat(name(command)).isEqualTo("evalsha " + Scripts.CART_READ.name());
  }

  /** Puts the SKU in the catalog and a line of it in the user's cart; returns the cart id. */
  private static String cartWithALine(String user, String sku) {
    return cartWithALine(gateway, user, sku);
  }

  private static String cartWithALine(Gateway gateway, String user, String sku) {
    gateway.putSku(sku, "2.50", "USD", 10);
    assertThat(gateway.add(user, sku, 1).statusCode()).isEqualTo(200);
    return gateway.cart(user).getString("cartId");
  }

  /** A MONITOR line's command, with the script's name for EVALSHA. */
  private static String name(String line) {
    List<String> args = new ArrayList<>();
    Matcher quoted = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(line);
    while (quoted.find()) {
      args.add(quoted.group(1));
    }
    String command = args.get(0).toLowerCase(Locale.ROOT);
    if (!command.equals("evalsha")) {
      return command;
    }
    return "evalsha "
        + Scripts.ALL.stream()
            .filter(script -> script.sha().equals(args.get(1)))
            .map(LuaScript::name)
            .findFirst()
            .orElse(args.get(1));
  }
}
