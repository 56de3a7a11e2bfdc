package com.cartgateway.config;

import java.util.Locale;

/** A role one gateway process can play; platform teams pick roles per process to scale each. */
public enum Role {
  /** Event-loop verticles serving the HTTP API. */
  HTTP,
  /** Drains the cart event log into DynamoDB. */
  WORKER,
  /** Returns lapsed holds to stock and reports idle carts. */
  TIMER;

  static Role parse(String text) {
    return Role.valueOf(text.trim().toUpperCase(Locale.ROOT));
  }
}
