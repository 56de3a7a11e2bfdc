package com.cartgateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cartgateway.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * User tokens stay cheap to check on every request without outliving their exp; guest sessions are
 * only those the gateway signed.
 */
class IdentitiesTest {
  private static final String SECRET = "a-test-secret-of-enough-length-for-hs256";
  private static final String KEY = "a-session-key-of-enough-length-0123456789";
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
    Identities identities = new Identities(vertx, security(List.of()), clock);
    String token = token(SECRET, "alice", 60);

    assertThat(await(identities.user("Bearer " + token)).cartId())
        .isEqualTo(com.cartgateway.identity.Owner.user("alice").cartId());
    clock.now = clock.now.plusSeconds(61);

    assertThat(failure(identities.user("Bearer " + token))).isInstanceOf(IdentityException.class);
  }

  @Test
  @DisplayName("a token signed with another key is refused after the same shopper's good token")
  void otherSignatureAfterGoodToken() throws Exception {
    Identities identities = new Identities(vertx, security(List.of()), Clock.systemUTC());
    await(identities.user("Bearer " + token(SECRET, "bob", 60)));

    String forged = token("another-secret-of-enough-length-for-hs256", "bob", 60);

    assertThat(failure(identities.user("Bearer " + forged))).isInstanceOf(IdentityException.class);
  }

  @Test
  @DisplayName(
      "a session the gateway minted is a guest; altered, made up or malformed ones are not")
  void onlyIssuedSessions() {
    Identities identities = new Identities(vertx, security(List.of(KEY)), Clock.systemUTC());
    String issued = identities.newGuest().id();

    assertThat(issued).matches("[A-Za-z0-9_-]{44}");
    assertThat(identities.guest(issued).cartId()).isEqualTo("g:" + issued);
    char last = issued.charAt(43);
    String altered = issued.substring(0, 43) + (last == 'A' ? 'B' : 'A');
    String madeUp = "A".repeat(44);
    for (String refused : List.of(altered, madeUp, issued.substring(1), issued + "A", "short!")) {
      assertThatThrownBy(() -> identities.guest(refused))
          .as(refused)
          .isInstanceOfSatisfying(
              IdentityException.class,
              e -> assertThat(e.kind()).isEqualTo(IdentityException.Kind.MALFORMED_SESSION));
    }
  }

  @Test
  @DisplayName(
      "a new key signs while the old one still verifies; once dropped, its sessions are refused")
  void keysRotateWithAnOverlap() {
    String other = "another-session-key-of-enough-length-0123";
    String old = new Identities(vertx, security(List.of(KEY)), Clock.systemUTC()).newGuest().id();
    Identities rotated = new Identities(vertx, security(List.of(other, KEY)), Clock.systemUTC());
    String fresh = rotated.newGuest().id();

    assertThat(rotated.guest(old).id()).isEqualTo(old);
    assertThat(new Identities(vertx, security(List.of(other)), Clock.systemUTC()).guest(fresh).id())
        .as("the first key signs")
        .isEqualTo(fresh);
    Identities retired = new Identities(vertx, security(List.of(other)), Clock.systemUTC());
    assertThatThrownBy(() -> retired.guest(old)).isInstanceOf(IdentityException.class);
  }

  @Test
  @DisplayName(
      "without configured keys, sessions are signed with a key derived from the JWT secret")
  void derivedKey() {
    Identities identities = new Identities(vertx, security(List.of()), Clock.systemUTC());
    String session = identities.newGuest().id();

    assertThat(new Identities(vertx, security(List.of()), Clock.systemUTC()).guest(session).id())
        .isEqualTo(session);
    Identities keyed = new Identities(vertx, security(List.of(KEY)), Clock.systemUTC());
    assertThatThrownBy(() -> keyed.guest(session)).isInstanceOf(IdentityException.class);
  }

  @ParameterizedTest(name = "claims {0}")
  @ValueSource(
      strings = {
        "{\"sub\":12345,\"exp\":EXP}",
        "{\"sub\":true,\"exp\":EXP}",
        "{\"sub\":{\"id\":\"alice\"},\"exp\":EXP}",
        "{\"sub\":[\"alice\"],\"exp\":EXP}",
        "{\"sub\":\"alice\",\"exp\":\"EXP\"}",
        "{\"sub\":\"alice\",\"exp\":EXP,\"nbf\":\"soon\"}",
        "{\"sub\":\"alice\",\"exp\":EXP,\"iat\":{}}",
        "{\"sub\":\"alice\",\"exp\":[EXP]}"
      })
  @DisplayName(
      "a well-signed token whose sub is no string or whose times are no numbers is refused")
  void claimTypes(String claims) throws Exception {
    Identities identities = new Identities(vertx, security(List.of()), Clock.systemUTC());
    String exp = String.valueOf(Instant.now().getEpochSecond() + 300);
    String token = signed(HEADER, claims.replace("EXP", exp), SECRET);

    assertUnauthenticated(identities.user("Bearer " + token));
  }

  @Test
  @DisplayName("a token with a crit header, or with a padded part, is refused")
  void critAndPadding() throws Exception {
    Identities identities = new Identities(vertx, security(List.of()), Clock.systemUTC());
    String claims = claims("alice");
    String good = signed(HEADER, claims, SECRET);
    assertThat(await(identities.user("Bearer " + good)).id()).isEqualTo("alice");

    String crit = signed("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"crit\":[\"exp\"]}", claims, SECRET);
    assertUnauthenticated(identities.user("Bearer " + crit));
    // An HS256 signature is 32 bytes: its base64 has one padding character.
    String padded = signed(HEADER, claims("bob"), SECRET) + "=";
    assertUnauthenticated(identities.user("Bearer " + padded));
  }

  @Test
  @DisplayName("with an issuer and an audience configured, a token must carry both")
  void issuerAndAudience() throws Exception {
    Identities identities =
        new Identities(
            vertx,
            new AppConfig.Security(
                SECRET,
                "admin-token-0123456789",
                List.of(),
                Optional.of("https://id.example"),
                Optional.of("cart")),
            Clock.systemUTC());
    long exp = Instant.now().getEpochSecond() + 300;
    String both =
        "{\"sub\":\"alice\",\"exp\":" + exp + ",\"iss\":\"https://id.example\",\"aud\":\"cart\"}";
    String inList =
        "{\"sub\":\"alice\",\"exp\":"
            + exp
            + ",\"iss\":\"https://id.example\",\"aud\":[\"shop\",\"cart\"]}";
    assertThat(await(identities.user("Bearer " + signed(HEADER, both, SECRET))).id())
        .isEqualTo("alice");
    assertThat(await(identities.user("Bearer " + signed(HEADER, inList, SECRET))).id())
        .isEqualTo("alice");

    for (String refused :
        List.of(
            claims("alice"),
            "{\"sub\":\"alice\",\"exp\":" + exp + ",\"iss\":\"https://id.example\"}",
            "{\"sub\":\"alice\",\"exp\":" + exp + ",\"aud\":\"cart\"}",
            "{\"sub\":\"alice\",\"exp\":"
                + exp
                + ",\"iss\":\"https://evil.example\",\"aud\":\"cart\"}",
            "{\"sub\":\"alice\",\"exp\":"
                + exp
                + ",\"iss\":\"https://id.example\",\"aud\":[\"shop\"]}")) {
      assertUnauthenticated(identities.user("Bearer " + signed(HEADER, refused, SECRET)));
    }
  }

  private static final String HEADER = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

  private static String claims(String sub) {
    return new JsonObject()
        .put("sub", sub)
        .put("exp", Instant.now().getEpochSecond() + 300)
        .encode();
  }

  /** Signs a header and claims by hand, so that a test can make tokens no library would. */
  private static String signed(String header, String claims, String secret) throws Exception {
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    String input =
        base64.encodeToString(header.getBytes(StandardCharsets.UTF_8))
            + "."
            + base64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return input + "." + base64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.UTF_8)));
  }

  private static void assertUnauthenticated(Future<Owner> user) throws Exception {
    assertThat(failure(user))
        .isInstanceOfSatisfying(
            IdentityException.class,
            e -> assertThat(e.kind()).isEqualTo(IdentityException.Kind.UNAUTHENTICATED));
  }

  private static AppConfig.Security security(List<String> sessionKeys) {
    return new AppConfig.Security(
        SECRET, "admin-token-0123456789", sessionKeys, Optional.empty(), Optional.empty());
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
