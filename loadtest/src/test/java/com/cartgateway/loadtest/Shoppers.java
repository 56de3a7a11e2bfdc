package com.cartgateway.loadtest;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The signed-in shoppers of one run: their user ids, HS256 bearer tokens (signed once, with
 * com.auth0:java-jwt) and the cart ETag last seen for each.
 */
public final class Shoppers {

  /** User ids are {@code lt-shopper-00001} .. ; fixed, so that reruns reuse (and clear) them. */
  public static final String ID_PREFIX = "lt-shopper-";

  private final String[] ids;
  private final String[] bearer;
  private final AtomicReferenceArray<String> lastEtag;

  public Shoppers(int count, String jwtSecret, Instant expiresAt) {
    Algorithm hs256 = Algorithm.HMAC256(jwtSecret.getBytes(StandardCharsets.UTF_8));
    Instant issuedAt = Instant.now();
    ids = new String[count];
    bearer = new String[count];
    lastEtag = new AtomicReferenceArray<>(count);
    for (int i = 0; i < count; i++) {
      ids[i] = String.format("%s%05d", ID_PREFIX, i + 1);
      String jwt =
          JWT.create()
              .withSubject(ids[i])
              .withIssuedAt(issuedAt)
              .withExpiresAt(expiresAt)
              .sign(hs256);
      bearer[i] = "Bearer " + jwt;
    }
  }

  public int size() {
    return ids.length;
  }

  public String id(int i) {
    return ids[i];
  }

  /** The value of the {@code Authorization} header for shopper {@code i}. */
  public String authorization(int i) {
    return bearer[i];
  }

  public int random() {
    return ThreadLocalRandom.current().nextInt(ids.length);
  }

  /** The ETag last seen for shopper {@code i}'s cart, or null. */
  public String etag(int i) {
    return lastEtag.get(i);
  }

  public void rememberEtag(int i, String etag) {
    if (etag != null && !etag.isBlank()) {
      lastEtag.set(i, etag);
    }
  }
}
