package com.cartgateway.http;

import com.cartgateway.store.IdempotencyRecords;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.Scripts;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Idempotency keys: the first response to a key (per cart owner) is kept and answered again to a
 * retry of the same request; the same key with another request is refused. A success is kept 24 h;
 * a refusal by the cart's rules only {@link #REFUSAL_KEPT}, long enough for a client's retry of a
 * lost answer (the refusal changed nothing, so a later retry may safely run again). An owner keeps
 * at most {@link #KEYS_PER_OWNER} live keys: a new key past that evicts those that expire first.
 * Records live on the cart's slot. Server failures (5xx) are not kept, so the client's retry runs
 * again.
 */
final class Idempotency {
  static final Duration KEPT = Duration.ofHours(24);

  /** How long a refusal by the cart's rules is answered again. */
  static final Duration REFUSAL_KEPT = Duration.ofMinutes(10);

  /**
   * Live keys an owner keeps: far more than a shopper's retries span, and few enough that one
   * owner's records stay small (each at most a cart's body).
   */
  static final int KEYS_PER_OWNER = 100;

  /** How long a claim lives when its request never finishes (a crashed process). */
  private static final Duration CLAIM = Duration.ofSeconds(60);

  private final RedisGateway redis;
  private final Clock clock;

  Idempotency(RedisGateway redis, Clock clock) {
    this.redis = redis;
    this.clock = clock;
  }

  /** What {@link #begin} found. */
  sealed interface Outcome {
    /** First use: run the request, then {@link #complete} or {@link #abandon}. */
    record Claimed() implements Outcome {}

    /** Used before with another request. */
    record Reused() implements Outcome {}

    /** The first request with this key is still running. */
    record InProgress() implements Outcome {}

    /** Answered before: answer the same. */
    record Replay(int status, String body, String etag) implements Outcome {}
  }

  Future<Outcome> begin(String cartId, String key, String fingerprint) {
    return Scripts.IDEMPOTENCY_BEGIN
        .call(
            redis,
            List.of(RedisKeys.cartIdempotency(cartId, key), RedisKeys.cartIdempotencyIndex(cartId)),
            List.of(
                fingerprint,
                CLAIM.toMillis(),
                key,
                clock.millis(),
                KEYS_PER_OWNER,
                KEPT.toMillis(),
                RedisKeys.cartIdempotency(cartId, "")))
        .map(
            reply ->
                switch (reply.get(0).toString()) {
                  case "claimed" -> new Outcome.Claimed();
                  case "reused" -> new Outcome.Reused();
                  case "in_progress" -> new Outcome.InProgress();
                  case "replay" ->
                      new Outcome.Replay(
                          reply.get(1).toInteger(),
                          reply.get(2).toString(),
                          reply.get(3) == null ? "" : reply.get(3).toString());
                  default -> throw new IllegalStateException("unexpected reply " + reply);
                });
  }

  Future<Void> complete(
      String cartId, String key, String fingerprint, int status, Buffer body, String etag) {
    Duration kept = status >= 400 ? REFUSAL_KEPT : KEPT;
    JsonObject record =
        new JsonObject()
            .put("h", fingerprint)
            .put("s", status)
            .put("b", body.toString(StandardCharsets.UTF_8))
            .put("e", etag == null ? "" : etag);
    return IdempotencyRecords.save(redis, cartId, key, record.encode(), kept, clock.millis(), KEPT);
  }

  Future<Void> abandon(String cartId, String key) {
    return IdempotencyRecords.drop(redis, cartId, key);
  }

  /**
   * Identifies a request: method, path, the guest session a merge names (wherever it was sent:
   * body, header or cookie), and the exact body bytes.
   *
   * @param guestSession the merged guest session, or null for any other write
   */
  static String fingerprint(String method, String path, String guestSession, Buffer body) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update((method + " " + path + "\n").getBytes(StandardCharsets.UTF_8));
      if (guestSession != null) {
        digest.update(("guest " + guestSession + "\n").getBytes(StandardCharsets.UTF_8));
      }
      if (body != null) {
        digest.update(body.getBytes());
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
