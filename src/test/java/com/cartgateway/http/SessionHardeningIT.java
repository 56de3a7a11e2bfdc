package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.store.RedisKeys;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.RedisMasters;
import com.cartgateway.support.RedisMonitor;
import com.cartgateway.support.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName(
    "hostile identities: only issued guest sessions, strict user tokens, bounded idempotency")
class SessionHardeningIT {
  private final Gateway gateway = Gateway.get();

  @ParameterizedTest(name = "X-Cart-Session: {0}")
  @ValueSource(
      strings = {
        "AAAAAAAAAAAAAAAAAAAAAA",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "made-up-session-id-of-forty-four-characters0"
      })
  @DisplayName(
      "a well-formed id the gateway did not issue is refused with 400 before Redis is asked")
  void madeUpSessionRead(String session) throws Exception {
    try (RedisMonitor monitor = RedisMonitor.start()) {
      HttpResponse<String> read =
          gateway.send(gateway.request("/v1/cart").header("X-Cart-Session", session).GET().build());
      HttpResponse<String> byCookie =
          gateway.send(
              gateway
                  .request("/v1/cart")
                  .header("Cookie", "cart_session=" + session)
                  .GET()
                  .build());

      assertRefusedSession(read);
      assertRefusedSession(byCookie);
      assertThat(monitor.commandsMentioning(session)).isEmpty();
    }
  }

  @Test
  @DisplayName("a session signed with the gateway's key reads its (empty) cart")
  void signedSessionReads() {
    String session = Gateway.guestSession();
    HttpResponse<String> read =
        gateway.send(gateway.request("/v1/cart").header("X-Cart-Session", session).GET().build());

    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(read.body()).getString("cartId")).isEqualTo("g:" + session);
  }

  @Test
  @DisplayName(
      "an issued session with one character changed is refused on a write, which changes nothing")
  void alteredSessionWrite() throws Exception {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 10);
    String issued = mintedGuest(sku, null);
    char first = issued.charAt(0);
    String altered = (first == 'A' ? 'B' : 'A') + issued.substring(1);

    try (RedisMonitor monitor = RedisMonitor.start()) {
      HttpResponse<String> write = add(sku, altered, null);

      assertRefusedSession(write);
      assertThat(write.headers().firstValue("X-Cart-Session")).as("no new session").isEmpty();
      assertThat(monitor.commandsMentioning(altered)).isEmpty();
    }
    assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(1);
  }

  @Test
  @DisplayName("a merge of a guest session the gateway did not issue answers 400")
  void mergeOfMadeUpSession() {
    String user = Gateway.unique("shopper");
    String madeUp = "B".repeat(44);
    HttpResponse<String> merged =
        gateway.send(
            gateway
                .request("/v1/cart/merge")
                .header("Authorization", "Bearer " + gateway.userToken(user))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        new JsonObject().put("guestSession", madeUp).encode()))
                .build());

    assertRefusedSession(merged);
  }

  @Test
  @DisplayName(
      "new guests are minted at the write rate of their address; made-up sessions get no bucket of"
          + " their own")
  void mintingIsLimitedPerAddress() {
    Gateway limited =
        Gateway.start(Map.of("CART_RATE_LIMIT_WRITES", "2", "CART_TRUSTED_PROXY_HOPS", "1"));
    try {
      String sku = Gateway.unique("SKU");
      limited.putSku(sku, "1.00", "USD", 100);
      String address = "192.0.2." + ThreadLocalRandom.current().nextInt(1, 255);
      Set<String> minted = new HashSet<>();
      HttpResponse<String> refused = null;
      while (refused == null) {
        HttpResponse<String> response = add(limited, sku, null, address);
        if (response.statusCode() == 429) {
          refused = response;
        } else {
          assertThat(response.statusCode()).isEqualTo(200);
          minted.add(response.headers().firstValue("X-Cart-Session").orElseThrow());
          assertThat(minted).as("the address's bucket runs out").hasSizeLessThan(20);
        }
      }
      assertThat(minted).as("a burst of twice the write rate").hasSizeBetween(4, 5);
      assertThat(new JsonObject(refused.body()).getString("code")).isEqualTo("rate_limited");

      long reserved = limited.sku(sku).getLong("reserved");
      List<Integer> madeUp = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String session = Long.toHexString(ThreadLocalRandom.current().nextLong()).repeat(4);
        madeUp.add(add(limited, sku, session, address).statusCode());
      }
      assertThat(madeUp).containsOnly(400);
      assertThat(limited.sku(sku).getLong("reserved")).isEqualTo(reserved);
    } finally {
      limited.close();
    }
  }

  @ParameterizedTest(name = "claims {0}")
  @ValueSource(
      strings = {
        "{\"sub\":12345,\"exp\":EXP}",
        "{\"sub\":true,\"exp\":EXP}",
        "{\"sub\":{\"id\":\"mallory\"},\"exp\":EXP}",
        "{\"sub\":\"mallory\",\"exp\":\"EXP\"}",
        "{\"sub\":\"mallory\",\"exp\":EXP,\"nbf\":\"now\"}",
        "{\"sub\":\"mallory\",\"exp\":EXP,\"iat\":[1]}"
      })
  @DisplayName("a signed token whose sub is no string, or whose exp, nbf or iat is no number: 401")
  void claimTypes(String claims) {
    String exp = String.valueOf(Instant.now().getEpochSecond() + 300);
    String token = Gateway.handSignedToken(HEADER, claims.replace("EXP", exp));

    assertUnauthorized(read(gateway, "Bearer " + token));
  }

  @Test
  @DisplayName("a token naming crit, or with a padded signature, answers 401")
  void critAndPadding() {
    String claims = claims("mallory", "");
    assertThat(read(gateway, "Bearer " + Gateway.handSignedToken(HEADER, claims)).statusCode())
        .isEqualTo(200);

    String crit =
        Gateway.handSignedToken(
            "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"crit\":[\"b64\"],\"b64\":true}", claims);
    assertUnauthorized(read(gateway, "Bearer " + crit));
    String padded = Gateway.handSignedToken(HEADER, claims("trudy", "")) + "=";
    assertUnauthorized(read(gateway, "Bearer " + padded));
  }

  @Test
  @DisplayName("with CART_JWT_ISSUER and CART_JWT_AUDIENCE set, a token must carry both")
  void issuerAndAudience() {
    Gateway checking =
        Gateway.start(Map.of("CART_JWT_ISSUER", "https://id.example", "CART_JWT_AUDIENCE", "cart"));
    try {
      String issuer = ",\"iss\":\"https://id.example\"";
      assertThat(
              read(
                      checking,
                      "Bearer "
                          + Gateway.handSignedToken(
                              HEADER, claims("alice", issuer + ",\"aud\":[\"shop\",\"cart\"]")))
                  .statusCode())
          .isEqualTo(200);
      for (String refused :
          List.of(
              "",
              issuer,
              ",\"aud\":\"cart\"",
              ",\"iss\":\"https://evil.example\",\"aud\":\"cart\"",
              issuer + ",\"aud\":\"shop\"")) {
        assertUnauthorized(
            read(checking, "Bearer " + Gateway.handSignedToken(HEADER, claims("alice", refused))));
      }
      assertThat(
              read(gateway, "Bearer " + Gateway.handSignedToken(HEADER, claims("alice", "")))
                  .statusCode())
          .as("unset, neither is checked")
          .isEqualTo(200);
    } finally {
      checking.close();
    }
  }

  @Test
  @DisplayName(
      "a merge key used again with another guest session is refused, and that guest's cart stays")
  void mergeKeyNamesItsGuest() {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 10);
    String user = Gateway.unique("shopper");
    String firstGuest = mintedGuest(sku, null);
    String secondGuest = mintedGuest(sku, null);
    String key = "merge-" + Gateway.unique("k");

    HttpResponse<String> first = merge(user, firstGuest, key);
    HttpResponse<String> second = merge(user, secondGuest, key);

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).as(second.body()).isEqualTo(422);
    assertThat(new JsonObject(second.body()).getString("code")).isEqualTo("idempotency_key_reused");
    assertThat(second.headers().firstValue("Idempotent-Replayed")).isEmpty();
    HttpResponse<String> kept =
        gateway.send(
            gateway.request("/v1/cart").header("X-Cart-Session", secondGuest).GET().build());
    assertThat(new JsonObject(kept.body()).getJsonArray("items")).hasSize(1);
    HttpResponse<String> retried = merge(user, firstGuest, key);
    assertThat(retried.headers().firstValue("Idempotent-Replayed")).hasValue("true");
  }

  @Test
  @DisplayName(
      "an owner keeps at most 100 idempotency keys: the 101st evicts the oldest, the newest replay")
  void keysPerOwnerBounded() throws Exception {
    String user = Gateway.unique("shopper");
    String sku = Gateway.unique("SKU");
    List<String> keys = new ArrayList<>();
    for (int i = 0; i <= Idempotency.KEYS_PER_OWNER; i++) {
      String key = "bound-" + i;
      keys.add(key);
      assertThat(removeLine(user, sku, key).statusCode()).isEqualTo(200);
    }

    assertThat(storedKeys(user)).hasSize(Idempotency.KEYS_PER_OWNER);
    assertThat(removeLine(user, sku, keys.get(keys.size() - 1)).headers().firstValue(REPLAYED))
        .as("the newest key replays")
        .hasValue("true");
    assertThat(removeLine(user, sku, keys.get(0)).headers().firstValue(REPLAYED))
        .as("the oldest key was evicted: its retry runs again")
        .isEmpty();
  }

  @Test
  @DisplayName(
      "a refusal by a cart rule is replayed for minutes, not a day; a refusal about the caller is"
          + " not kept")
  void refusalsKeptBriefly() throws Exception {
    String user = Gateway.unique("shopper");
    String unknown = Gateway.unique("NOSUCH");
    String key = "refused-" + Gateway.unique("k");
    HttpResponse<String> refused = addAs(user, unknown, key);
    assertThat(refused.statusCode()).isEqualTo(404);
    assertThat(addAs(user, unknown, key).headers().firstValue(REPLAYED)).hasValue("true");
    long ttl = ttlSeconds(RedisKeys.cartIdempotency("u:" + user, key));
    assertThat(ttl).isBetween(1L, Idempotency.REFUSAL_KEPT.toSeconds());

    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 10);
    String guest = mintedGuest(sku, null);
    String owner = Gateway.unique("shopper");
    assertThat(merge(owner, guest, null).statusCode()).isEqualTo(200);
    String other = Gateway.unique("shopper");
    String mergeKey = "merge-" + Gateway.unique("k");
    HttpResponse<String> forbidden = merge(other, guest, mergeKey);
    assertThat(forbidden.statusCode()).isEqualTo(403);
    HttpResponse<String> again = merge(other, guest, mergeKey);
    assertThat(again.statusCode()).isEqualTo(403);
    assertThat(again.headers().firstValue(REPLAYED)).as("ran again, not replayed").isEmpty();
  }

  @Test
  @DisplayName(
      "a write keeps its op records a minute; an add under an Idempotency-Key keeps them an hour")
  void opRecordsKeptBriefly() throws Exception {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 10);
    String plain = Gateway.unique("shopper");
    assertThat(gateway.add(plain, sku, 1).statusCode()).isEqualTo(200);
    List<Long> plainTtls = opRecordTtls(plain, sku);
    assertThat(plainTtls).hasSize(2).allSatisfy(ttl -> assertThat(ttl).isBetween(1L, 60L));

    String other = Gateway.unique("SKU");
    gateway.putSku(other, "1.00", "USD", 10);
    String keyed = Gateway.unique("shopper");
    assertThat(addAs(keyed, other, "op-" + Gateway.unique("k")).statusCode()).isEqualTo(200);
    List<Long> keyedTtls = opRecordTtls(keyed, other);
    assertThat(keyedTtls).hasSize(2).allSatisfy(ttl -> assertThat(ttl).isBetween(3000L, 3600L));
  }

  /** The time to live of the op records of a user's cart and of the SKU's holds for that cart. */
  private static List<Long> opRecordTtls(String user, String sku) throws Exception {
    List<Long> ttls = new ArrayList<>();
    for (String pattern : List.of(RedisKeys.cartOp("u:" + user, "*"), RedisKeys.skuOp(sku, "*"))) {
      for (String key : keys(pattern)) {
        ttls.add(ttlSeconds(key));
      }
    }
    return ttls;
  }

  /** The session a guest's first write was given. */
  private String mintedGuest(String sku, String forwardedFor) {
    HttpResponse<String> first = add(gateway, sku, null, forwardedFor);
    assertThat(first.statusCode()).isEqualTo(200);
    return first.headers().firstValue("X-Cart-Session").orElseThrow();
  }

  private HttpResponse<String> add(String sku, String session, String forwardedFor) {
    return add(gateway, sku, session, forwardedFor);
  }

  private static HttpResponse<String> add(
      Gateway target, String sku, String session, String forwardedFor) {
    HttpRequest.Builder request =
        target
            .request("/v1/cart/items")
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    new JsonObject().put("sku", sku).put("quantity", 1).encode()));
    if (session != null) {
      request.header("X-Cart-Session", session);
    }
    if (forwardedFor != null) {
      request.header("X-Forwarded-For", forwardedFor);
    }
    return target.send(request.build());
  }

  private static final String REPLAYED = "Idempotent-Replayed";

  private HttpResponse<String> merge(String user, String session, String key) {
    HttpRequest.Builder request =
        gateway
            .request("/v1/cart/merge")
            .header("Authorization", "Bearer " + gateway.userToken(user))
            .header("X-Cart-Session", session)
            .POST(HttpRequest.BodyPublishers.noBody());
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    return gateway.send(request.build());
  }

  private HttpResponse<String> removeLine(String user, String sku, String key) {
    return gateway.send(
        gateway
            .request("/v1/cart/items/" + sku)
            .header("Authorization", "Bearer " + gateway.userToken(user))
            .header("Idempotency-Key", key)
            .DELETE()
            .build());
  }

  private HttpResponse<String> addAs(String user, String sku, String key) {
    return gateway.send(
        gateway
            .request("/v1/cart/items")
            .header("Authorization", "Bearer " + gateway.userToken(user))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    new JsonObject().put("sku", sku).put("quantity", 1).encode()))
            .build());
  }

  /** The idempotency records Redis keeps for a user. */
  private static List<String> storedKeys(String user) throws Exception {
    return keys(RedisKeys.cartIdempotency("u:" + user, "*"));
  }

  /** The keys that match, on every master (KEYS answers for one server). */
  private static List<String> keys(String pattern) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      return RedisMasters.send(vertx, Request.cmd(Command.KEYS).arg(pattern)).stream()
          .flatMap(Response::stream)
          .map(Response::toString)
          .toList();
    } finally {
      vertx.close().await(5, TimeUnit.SECONDS);
    }
  }

  private static long ttlSeconds(String key) throws Exception {
    return redis(Request.cmd(Command.TTL).arg(key), Response::toLong);
  }

  private static <T> T redis(Request request, Function<Response, T> read) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Redis redis = TestServices.get().redisClient(vertx);
      return read.apply(redis.send(request).await(5, TimeUnit.SECONDS));
    } finally {
      vertx.close().await(5, TimeUnit.SECONDS);
    }
  }

  private static final String HEADER = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

  /**
   * The claims of a token good for five minutes, with more members (each starting with a comma).
   */
  private static String claims(String sub, String more) {
    return "{\"sub\":\""
        + sub
        + "\",\"exp\":"
        + (Instant.now().getEpochSecond() + 300)
        + more
        + "}";
  }

  private static HttpResponse<String> read(Gateway target, String authorization) {
    return target.send(
        target.request("/v1/cart").header("Authorization", authorization).GET().build());
  }

  private static void assertUnauthorized(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("unauthorized");
  }

  private static void assertRefusedSession(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("validation_failed");
  }
}
