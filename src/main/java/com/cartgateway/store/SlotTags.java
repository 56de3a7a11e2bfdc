package com.cartgateway.store;

import io.vertx.redis.client.impl.ZModem;

/**
 * For each of Redis Cluster's 16,384 slots, a short hash tag that hashes to it, so that a key can
 * be placed in a chosen slot (a shard's epoch in the shard's first slot). The slot function is
 * Vert.x's own ({@code ZModem}, CRC16 of the hash tag), the one its cluster client routes by.
 */
public final class SlotTags {
  /** Slots of a Redis Cluster. */
  public static final int SLOTS = 16384;

  private SlotTags() {}

  /** The slot of a key, as Redis Cluster computes it. */
  public static int slot(String key) {
    return ZModem.generate(key);
  }

  /** The smallest decimal number whose slot is {@code slot}, as a string. */
  public static String of(int slot) {
    if (slot < 0 || slot >= SLOTS) {
      throw new IllegalArgumentException("no such slot: " + slot);
    }
    return Table.TAGS[slot];
  }

  /** Built on first use: about 170,000 CRCs of short numbers fill every slot (a few ms). */
  private static final class Table {
    private static final String[] TAGS = build();

    private static String[] build() {
      String[] tags = new String[SLOTS];
      int filled = 0;
      for (int n = 0; filled < SLOTS; n++) {
        String tag = Integer.toString(n);
        int slot = ZModem.generate(tag);
        if (tags[slot] == null) {
          tags[slot] = tag;
          filled++;
        }
      }
      return tags;
    }
  }
}
