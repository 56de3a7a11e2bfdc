package com.cartgateway.config;

import java.util.Locale;

/** How a SKU in both carts is resolved when a guest's cart merges into the shopper's at login. */
public enum MergePolicy {
  /** The higher quantity wins. */
  MAX,
  /** The quantities add up (capped). */
  SUM,
  /** The guest's quantity wins. */
  PREFER_GUEST;

  /** Parses {@code max}, {@code sum} or {@code prefer-guest}. */
  static MergePolicy parse(String text) {
    return MergePolicy.valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
  }
}
