package com.cartgateway.store;

import java.util.List;

/**
 * Every Lua script of the gateway, in one place, so that a newcomer sees each operation's script
 * and every role loads them all at start (a script with an error stops the start, not a request).
 * Each touches one cluster slot; {@code cart_common}, {@code hold_common}, {@code op_record} and
 * {@code token_bucket} are preludes of shared functions, never run alone.
 */
public final class Scripts {
  // On a cart's slot
  public static final LuaScript CART_READ = LuaScript.load("cart_read", "token_bucket");
  public static final LuaScript CART_BEGIN = LuaScript.load("cart_begin", "token_bucket");
  public static final LuaScript CART_ADD = LuaScript.load("cart_add", "op_record", "cart_common");
  public static final LuaScript CART_SET = LuaScript.load("cart_set", "op_record", "cart_common");
  public static final LuaScript CART_REMOVE =
      LuaScript.load("cart_remove", "op_record", "cart_common");
  public static final LuaScript CART_CLEAR =
      LuaScript.load("cart_clear", "op_record", "cart_common");
  public static final LuaScript CART_CHECKOUT =
      LuaScript.load("cart_checkout", "op_record", "cart_common");
  public static final LuaScript CART_MERGE =
      LuaScript.load("cart_merge", "op_record", "cart_common");
  public static final LuaScript CART_RETIRE = LuaScript.load("cart_retire");
  public static final LuaScript CART_RESTORE =
      LuaScript.load("cart_restore", "op_record", "cart_common");
  public static final LuaScript CART_LAPSE =
      LuaScript.load("cart_lapse", "op_record", "cart_common");
  public static final LuaScript CART_ABANDON = LuaScript.load("cart_abandon");
  public static final LuaScript IDEMPOTENCY_BEGIN = LuaScript.load("idempotency_begin");
  public static final LuaScript IDEMPOTENCY_COMPLETE = LuaScript.load("idempotency_complete");
  public static final LuaScript LEASE_RELEASE = LuaScript.load("lease_release");

  // On an identity's slot (a cart's, for a known shopper)
  public static final LuaScript RATE_LIMIT = LuaScript.load("rate_limit", "token_bucket");

  // On a SKU's slot
  public static final LuaScript HOLD_ADJUST =
      LuaScript.load("hold_adjust", "op_record", "hold_common");
  public static final LuaScript HOLD_SELL = LuaScript.load("hold_sell", "op_record");
  public static final LuaScript HOLD_TRANSFER = LuaScript.load("hold_transfer", "hold_common");
  public static final LuaScript HOLD_LAPSE = LuaScript.load("hold_lapse");
  public static final LuaScript SKU_PUT = LuaScript.load("sku_put");
  public static final LuaScript SKU_RESTORE = LuaScript.load("sku_restore");

  // On an idle-index shard's slot
  public static final LuaScript IDLE_FORGET = LuaScript.load("idle_forget");

  /** All of them, for loading at start. */
  public static final List<LuaScript> ALL =
      List.of(
          CART_READ,
          CART_BEGIN,
          CART_ADD,
          CART_SET,
          CART_REMOVE,
          CART_CLEAR,
          CART_CHECKOUT,
          CART_MERGE,
          CART_RETIRE,
          CART_RESTORE,
          CART_LAPSE,
          CART_ABANDON,
          IDEMPOTENCY_BEGIN,
          IDEMPOTENCY_COMPLETE,
          LEASE_RELEASE,
          RATE_LIMIT,
          HOLD_ADJUST,
          HOLD_SELL,
          HOLD_TRANSFER,
          HOLD_LAPSE,
          SKU_PUT,
          SKU_RESTORE,
          IDLE_FORGET);

  private Scripts() {}
}
