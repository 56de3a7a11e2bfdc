package com.cartgateway.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed hashes (HMAC-SHA256) of shopper ids for the logs: the same shopper gets the same pseudonym
 * across lines and processes sharing the key, but nobody without the key can tell whose it is.
 */
final class Pseudonyms {
  private static final String ALGORITHM = "HmacSHA256";
  private static final String PURPOSE = "cart-gateway log pseudonyms v1";
  private static final int BYTES = 12;

  // Mac is not thread-safe; each event loop keeps its own.
  private final ThreadLocal<Mac> macs;
  // A hash costs more than the rest of an access line; a shopper's requests come in bursts.
  private final Cache<String, String> known = Caffeine.newBuilder().maximumSize(100_000).build();

  /**
   * @param secret the key material; derived once so the log key never equals the token key
   */
  Pseudonyms(String secret) {
    byte[] key = hmac(secret.getBytes(StandardCharsets.UTF_8), PURPOSE);
    this.macs = ThreadLocal.withInitial(() -> mac(key));
  }

  /** The pseudonym of an id: 24 hex digits. */
  String of(String id) {
    return known.get(id, this::hash);
  }

  private String hash(String id) {
    byte[] digest = macs.get().doFinal(id.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest, 0, BYTES);
  }

  private static byte[] hmac(byte[] key, String data) {
    return mac(key).doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  private static Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " is part of every JDK", e);
    }
  }
}
