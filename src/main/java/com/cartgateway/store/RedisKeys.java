package com.cartgateway.store;

import io.netty.util.NetUtil;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Every Redis key of the gateway. Hash tags keep one cart's keys in one cluster slot, and one SKU's
 * keys (its counters and the holds on it) in one slot, so each script touches one slot.
 */
public final class RedisKeys {
  /** The set of every SKU ever put in the catalog (the sweep and the rebuild walk it). */
  public static final String CATALOG_INDEX = "catalog:skus";

  /**
   * SKUs changed whose state {@code catalog.events} may lack: a sorted set of {@code "<sku>
   * <uuid>"} by the time of the change. Catalog changes are few (admin puts, sales), so one key.
   */
  public static final String CATALOG_UNPUBLISHED = "catalog:unpublished";

  /** The start of an op id named after a client's Idempotency-Key (see {@code op_record.lua}). */
  public static final String KEYED_OP = "key-";

  /** The channel of key expiry events on database 0 (keyspace notifications, class Ex). */
  public static final String EXPIRED_CHANNEL = "__keyevent@0__:expired";

  private static final java.util.regex.Pattern HOLD_MARKER =
      java.util.regex.Pattern.compile("sku:\\{([^}]+)\\}:hold:(.+)");

  private RedisKeys() {}

  /**
   * The SKU and cart id of a hold marker key, or null for any other key.
   *
   * @return {@code [sku, cartId]}
   */
  public static String[] parseHoldMarker(String key) {
    java.util.regex.Matcher m = HOLD_MARKER.matcher(key);
    return m.matches() ? new String[] {m.group(1), m.group(2)} : null;
  }

  /** What every key of a cart begins with, the cart's hash too (the near cache tracks them). */
  public static final String CART_PREFIX = "cart:{";

  /** The hash of one cart. */
  public static String cart(String cartId) {
    return CART_PREFIX + cartId + "}";
  }

  /**
   * The record that one cart write with this op id was applied: kept an hour for an id starting
   * with {@link #KEYED_OP} (named after a client's Idempotency-Key), a minute for any other.
   */
  public static String cartOp(String cartId, String opId) {
    return cart(cartId) + ":op:" + opId;
  }

  /** An order placed from one cart (kept a day, so that a retried checkout finds it). */
  public static String cartOrder(String cartId, String orderId) {
    return cart(cartId) + ":order:" + orderId;
  }

  /** The lease one checkout of a cart holds, so that concurrent checkouts make one order. */
  public static String cartCheckoutLease(String cartId) {
    return cart(cartId) + ":checkout";
  }

  /** The lease a merge holds on the guest cart it merges. */
  public static String cartMergeLease(String guestCartId) {
    return cart(guestCartId) + ":merge";
  }

  /** Which user cart a retired guest cart went to. */
  public static String cartMergedInto(String guestCartId) {
    return cart(guestCartId) + ":merged-into";
  }

  /** The record, on the user's slot, that a guest cart was merged into it. */
  public static String cartMergeRecord(String userCartId, String guestCartId) {
    return cart(userCartId) + ":merged:" + guestCartId;
  }

  /** The record of one idempotency key of one cart's owner. */
  public static String cartIdempotency(String cartId, String key) {
    return cart(cartId) + ":idem:" + key;
  }

  /**
   * The live idempotency keys of one cart's owner, each scored by when its record expires: what
   * bounds the records an owner keeps.
   */
  public static String cartIdempotencyIndex(String cartId) {
    return cart(cartId) + ":idem";
  }

  /** The token bucket of one identity for one kind of request (reads, writes). */
  public static String rateLimit(String identity, String kind) {
    return "rl:{" + identity + "}:" + kind;
  }

  /** Shards of the idle index, so that it spreads over a cluster's slots. */
  public static final int IDLE_SHARDS = 16;

  /** One shard of the idle index: cart ids scored by their last change by the shopper. */
  public static String idleShard(int shard) {
    return "idle:{" + shard + "}";
  }

  /** The idle index shard of a cart. */
  public static String idleShardOf(String cartId) {
    return idleShard(Math.floorMod(cartId.hashCode(), IDLE_SHARDS));
  }

  /**
   * A short-lived note that DynamoDB has no copy of a cart Redis lacks, so that reads of a cart
   * never written do not ask DynamoDB every time.
   */
  public static String cartAbsent(String cartId) {
    return cart(cartId) + ":absent";
  }

  /**
   * The epoch of one shard's data, a hash kept in the shard's first slot ({@code slot}, named by a
   * hash tag that hashes to it): {@code since}, when the gateway found the shard without one;
   * {@code ends} and {@code catalogEnds}, the end offsets of {@code cart.events} and {@code
   * catalog.events} once changes applied before then can no longer be on their way to Kafka; and
   * {@code catalog}, once the catalog is restored. Its absence means the shard lost its data
   * (flushed, failed over to an empty replica, restarted without persistence), so nothing of the
   * shard missing from Redis may be rebuilt before the worker has persisted every event up to those
   * offsets. A single Redis is one shard of every slot, its first slot 0.
   */
  public static String epoch(int slot) {
    return "gateway:epoch:{" + SlotTags.of(slot) + "}";
  }

  /** Shards of the unpublished index, so that it spreads over a cluster's slots. */
  public static final int UNPUBLISHED_SHARDS = 16;

  /**
   * One shard of the unpublished index: cart ids with a change whose {@code cart.events} record may
   * not be in Kafka yet, scored by when the change began.
   */
  public static String unpublishedShard(int shard) {
    return "unpublished:{" + shard + "}";
  }

  /** The unpublished index shard of a cart. */
  public static String unpublishedShardOf(String cartId) {
    return unpublishedShard(Math.floorMod(cartId.hashCode(), UNPUBLISHED_SHARDS));
  }

  /** The hash of one SKU: price, currency, stock, available, reserved, sold. */
  public static String sku(String sku) {
    return "sku:{" + sku + "}";
  }

  /** Units of one SKU held, by cart id. */
  public static String skuHolds(String sku) {
    return sku(sku) + ":holds";
  }

  /** A key that expires with one cart's hold on one SKU; its expiry event returns the units. */
  public static String skuHoldMarker(String sku, String cartId) {
    return sku(sku) + ":hold:" + cartId;
  }

  /** Cart ids holding one SKU, scored by when their hold lapses (the sweep's index). */
  public static String skuExpiry(String sku) {
    return sku(sku) + ":expiry";
  }

  /**
   * The carts one client address holds a SKU for, scored by when each hold lapses: what the cap on
   * one client's holds of a SKU counts. An IPv6 address counts by its /64, the block a subscriber
   * is given, so that a client cannot spread over the addresses of its own network.
   *
   * @param address the client's IP literal, as the HTTP layer resolved it
   */
  public static String skuClientHolds(String sku, String address) {
    return sku(sku) + ":client:" + clientBlock(address);
  }

  private static String clientBlock(String address) {
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
    if (bytes == null) {
      // Not an IP literal (a test transport, say): the text itself, without what keys reserve.
      return address.replaceAll("[^A-Za-z0-9._-]", "_");
    }
    if (bytes.length == 16 && isIpv4Mapped(bytes)) {
      bytes = Arrays.copyOfRange(bytes, 12, 16);
    }
    return HexFormat.of().formatHex(bytes, 0, bytes.length == 16 ? 8 : bytes.length);
  }

  private static boolean isIpv4Mapped(byte[] ipv6) {
    for (int i = 0; i < 10; i++) {
      if (ipv6[i] != 0) {
        return false;
      }
    }
    return ipv6[10] == (byte) 0xff && ipv6[11] == (byte) 0xff;
  }

  /** The record that one hold change with this op id was applied, kept as {@link #cartOp} is. */
  public static String skuOp(String sku, String opId) {
    return sku(sku) + ":op:" + opId;
  }
}
