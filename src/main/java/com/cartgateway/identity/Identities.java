package com.cartgateway.identity;

import com.cartgateway.config.AppConfig;
import com.cartgateway.identity.IdentityException.Kind;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Verifies user tokens, guest session ids and the admin token. */
public final class Identities {
  /** The only algorithm accepted: tokens that name another, {@code none} included, fail. */
  public static final String ALGORITHM = "HS256";

  private static final Pattern SUBJECT = Pattern.compile("[\\x21-\\x7E]{1,128}");

  /** Three unpadded base64url parts: a padded one ({@code =}) is another spelling, refused. */
  private static final Pattern COMPACT =
      Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

  /** Tokens verified lately, so that a shopper's next request skips the HMAC and claim parsing. */
  private static final int VERIFIED_TOKENS = 100_000;

  private final JWTAuth jwt;
  private final byte[] adminToken;
  private final Clock clock;
  private final GuestSessions sessions;
  private final Optional<String> issuer;
  private final Optional<String> audience;
  private final Cache<String, Verified> verified =
      Caffeine.newBuilder()
          .maximumSize(VERIFIED_TOKENS)
          .expireAfterWrite(Duration.ofMinutes(5))
          .build();

  /** A token that verified: whose cart it names, and until when (epoch seconds, its exp). */
  private record Verified(Owner owner, long expiresAt) {}

  /**
   * @param vertx the verticle's Vert.x
   * @param security the JWT secret, the admin token and the guest session keys
   * @param clock the time a token's exp is checked against
   */
  public Identities(Vertx vertx, AppConfig.Security security, Clock clock) {
    this.clock = clock;
    this.sessions = GuestSessions.of(security.sessionKeys(), security.jwtSecret());
    this.issuer = security.jwtIssuer();
    this.audience = security.jwtAudience();
    this.jwt =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(
                    new PubSecKeyOptions().setAlgorithm(ALGORITHM).setBuffer(security.jwtSecret()))
                .setJWTOptions(new JWTOptions().setAlgorithm(ALGORITHM)));
    this.adminToken = security.adminToken().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The signed-in shopper of an {@code Authorization} header.
   *
   * @param authorization the header's value
   * @return the user, or a failed future with UNAUTHENTICATED
   */
  public Future<Owner> user(String authorization) {
    String token = bearer(authorization);
    if (token == null) {
      return Future.failedFuture(unauthenticated("expected Authorization: Bearer <token>"));
    }
    Verified known = verified.getIfPresent(token);
    if (known != null) {
      return unexpired(known);
    }
    if (!COMPACT.matcher(token).matches()) {
      return Future.failedFuture(unauthenticated("the token is not a compact JWT"));
    }
    if (!headerAcceptable(token)) {
      return Future.failedFuture(
          unauthenticated("the token must be signed with " + ALGORITHM + " and name no crit"));
    }
    Future<User> authenticated;
    try {
      authenticated = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // vertx-auth-jwt casts exp, nbf and iat to numbers as it checks them, and may throw.
      authenticated = Future.failedFuture(e);
    }
    return authenticated
        .recover(e -> Future.failedFuture(unauthenticated("the token does not verify")))
        .compose(
            user -> {
              // vertx-auth-jwt keeps the verified claims under the "accessToken" attribute.
              JsonObject claims = user.attributes().getJsonObject("accessToken", new JsonObject());
              String problem = claimProblem(claims);
              if (problem != null) {
                return Future.failedFuture(unauthenticated(problem));
              }
              Verified fresh =
                  new Verified(
                      Owner.user((String) claims.getValue("sub")),
                      ((Number) claims.getValue("exp")).longValue());
              verified.put(token, fresh);
              return unexpired(fresh);
            });
  }

  /** What is wrong with a verified token's claims, or null when they name a shopper. */
  private String claimProblem(JsonObject claims) {
    if (!(claims.getValue("exp") instanceof Number)) {
      return "the token must carry exp";
    }
    for (String time : List.of("nbf", "iat")) {
      if (claims.containsKey(time) && !(claims.getValue(time) instanceof Number)) {
        return "the token's " + time + " must be a number";
      }
    }
    // A string and nothing else: JsonObject.getString would turn 12345 or {} into text.
    if (!(claims.getValue("sub") instanceof String sub) || !SUBJECT.matcher(sub).matches()) {
      return "the token must carry a valid sub";
    }
    if (issuer.isPresent() && !issuer.get().equals(claims.getValue("iss"))) {
      return "the token is not from the expected issuer";
    }
    if (audience.isPresent() && !namesAudience(claims.getValue("aud"), audience.get())) {
      return "the token is not for this audience";
    }
    return null;
  }

  /** RFC 7519: {@code aud} is one string or an array of strings. */
  private static boolean namesAudience(Object aud, String expected) {
    return aud instanceof JsonArray list ? list.contains(expected) : expected.equals(aud);
  }

  /** A verified token stays good until its exp, checked on every use, cached or not. */
  private Future<Owner> unexpired(Verified token) {
    if (clock.instant().getEpochSecond() >= token.expiresAt()) {
      return Future.failedFuture(unauthenticated("the token does not verify"));
    }
    return Future.succeededFuture(token.owner());
  }

  /**
   * A guest from a session id, checked by its signature alone: no store is asked.
   *
   * @throws IdentityException MALFORMED_SESSION when it is not a session id this gateway issued
   */
  public Owner guest(String sessionId) {
    if (!sessions.issued(sessionId)) {
      throw new IdentityException(Kind.MALFORMED_SESSION, "not a cart session this gateway issued");
    }
    return Owner.guest(sessionId);
  }

  /** A new guest session, signed ({@link GuestSessions}). */
  public Owner newGuest() {
    return Owner.guest(sessions.mint());
  }

  /**
   * Checks the admin token. A valid user token is refused with FORBIDDEN, anything else with
   * UNAUTHENTICATED.
   */
  public Future<Void> admin(String authorization) {
    String token = bearer(authorization);
    if (token == null) {
      return Future.failedFuture(unauthenticated("expected Authorization: Bearer <admin token>"));
    }
    if (MessageDigest.isEqual(adminToken, token.getBytes(StandardCharsets.UTF_8))) {
      return Future.succeededFuture();
    }
    return user(authorization)
        .transform(
            ar ->
                Future.failedFuture(
                    ar.succeeded()
                        ? new IdentityException(Kind.FORBIDDEN, "admin routes need the admin token")
                        : unauthenticated("not the admin token")));
  }

  private static String bearer(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = authorization.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  /**
   * Pins the algorithm before any key is looked up, so {@code alg: none} never gets far, and
   * refuses {@code crit}: it names extensions the token says must be understood, and none is.
   */
  private static boolean headerAcceptable(String token) {
    try {
      JsonObject header =
          new JsonObject(
              new String(
                  Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))),
                  StandardCharsets.UTF_8));
      return ALGORITHM.equals(header.getValue("alg")) && !header.containsKey("crit");
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static IdentityException unauthenticated(String detail) {
    return new IdentityException(Kind.UNAUTHENTICATED, detail);
  }
}
