package com.cartgateway.identity;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Guest session ids that the gateway issues and recognises without a lookup: 16 random bytes, one
 * byte naming the key, and the first 16 bytes of an HMAC-SHA256 over both, in URL-safe base64
 * without padding (44 characters). The first key signs; every key verifies, so that a new key can
 * be put first while the old one still verifies the sessions it signed.
 */
public final class GuestSessions {
  private static final int RANDOM_BYTES = 16;
  private static final int MAC_BYTES = 16;
  private static final int ID_BYTES = RANDOM_BYTES + 1 + MAC_BYTES;
  private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{44}");
  private static final String HMAC = "HmacSHA256";

  /** What a key is derived from when none is configured: the JWT secret, for this purpose only. */
  private static final byte[] DERIVED_KEY_LABEL =
      "cart-gateway guest session key".getBytes(StandardCharsets.UTF_8);

  private static final byte[] KEY_ID_LABEL =
      "cart-gateway guest session key id".getBytes(StandardCharsets.UTF_8);

  private final List<SessionKey> keys;
  private final SecureRandom random = new SecureRandom();

  /** A key and the byte that names it in the ids it signs. */
  private record SessionKey(byte id, SecretKeySpec spec) {}

  /**
   * @param keys the keys, at least one; the first signs
   */
  public GuestSessions(List<byte[]> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("guest sessions need a key");
    }
    this.keys =
        keys.stream()
            .map(
                key -> {
                  SecretKeySpec spec = new SecretKeySpec(key, HMAC);
                  // Derived from the key, so that operators only list keys; two keys that happen
                  // to share the byte are both tried.
                  return new SessionKey(hmac(spec, KEY_ID_LABEL)[0], spec);
                })
            .toList();
  }

  /**
   * The guest sessions of the configured keys, or, when none is configured, of one key derived from
   * the JWT secret.
   */
  public static GuestSessions of(List<String> configuredKeys, String jwtSecret) {
    if (configuredKeys.isEmpty()) {
      byte[] derived =
          hmac(
              new SecretKeySpec(jwtSecret.getBytes(StandardCharsets.UTF_8), HMAC),
              DERIVED_KEY_LABEL);
      return new GuestSessions(List.of(derived));
    }
    return new GuestSessions(
        configuredKeys.stream().map(key -> key.getBytes(StandardCharsets.UTF_8)).toList());
  }

  /** A new session id, signed with the first key. */
  public String mint() {
    byte[] id = new byte[ID_BYTES];
    random.nextBytes(id);
    SessionKey signer = keys.get(0);
    id[RANDOM_BYTES] = signer.id();
    System.arraycopy(mac(signer, id), 0, id, RANDOM_BYTES + 1, MAC_BYTES);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
  }

  /** Whether the gateway issued this id with one of its keys. */
  public boolean issued(String sessionId) {
    if (sessionId == null || !SHAPE.matcher(sessionId).matches()) {
      return false;
    }
    // 44 characters carry exactly 33 bytes: no spare bits, so every id has one spelling.
    byte[] id = Base64.getUrlDecoder().decode(sessionId);
    byte[] given = Arrays.copyOfRange(id, RANDOM_BYTES + 1, ID_BYTES);
    for (SessionKey key : keys) {
      if (key.id() == id[RANDOM_BYTES] && MessageDigest.isEqual(mac(key, id), given)) {
        return true;
      }
    }
    return false;
  }

  /** The truncated HMAC over an id's random bytes and key byte. */
  private static byte[] mac(SessionKey key, byte[] id) {
    return Arrays.copyOf(hmac(key.spec(), Arrays.copyOf(id, RANDOM_BYTES + 1)), MAC_BYTES);
  }

  private static byte[] hmac(SecretKeySpec key, byte[] data) {
    try {
      // A Mac is not thread-safe and cheap to get: one a call, rather than one a thread.
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
