package com.cartgateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** User tokens stay cheap to check on every request without outliving their exp. */
class IdentitiesTest {
  private static final String SECRET = "a-test-secret-of-enough-length-for-hs256";
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  @Test
  @DisplayName("a token accepted a moment ago is refused once its exp has passed")
  void verifiedTokenExpires() throws Exception {
    MovableClock clock = new MovableClock(Instant.now());
    Identities identities = new Identities(vertx, SECRET, "admin-token", clock);
    String token = token(SECRET, "alice", 60);

    assertThat(await(identities.user("Bearer " + token)).cartId())
        .isEqualTo(com.cartgateway.identity.Owner.user("alice").cartId());
    clock.now = clock.now.plusSeconds(61);

    assertThat(failure(identities.user("Bearer " + token))).isInstanceOf(IdentityException.class);
  }

  @Test
  @DisplayName("a token signed with another key is refused after the same shopper's good token")
  void otherSignatureAfterGoodToken() throws Exception {
    Identities identities = new Identities(vertx, SECRET, "admin-token", Clock.systemUTC());
    await(identities.user("Bearer " + token(SECRET, "bob", 60)));

    String forged = token("another-secret-of-enough-length-for-hs256", "bob", 60);

    assertThat(failure(identities.user("Bearer " + forged))).isInstanceOf(IdentityException.class);
  }

  private static String token(String secret, String sub, int seconds) {
    return JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)))
        .generateToken(
            new JsonObject().put("sub", sub),
            new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(seconds));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static Throwable failure(Future<?> future) throws Exception {
    return future
        .transform(ar -> Future.succeededFuture(ar.cause()))
        .toCompletionStage()
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
  }

  /** A clock the test moves. */
  private static final class MovableClock extends Clock {
    volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
