package com.cartgateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/** Echoes a sane {@code X-Request-Id}, or makes one, so logs and clients can name a request. */
final class RequestIds {
  static final CharSequence HEADER = HttpHeaders.createOptimized("X-Request-Id");
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final String KEY = "requestId";

  /**
   * Generated ids are UUID-shaped: 64 random bits drawn once per process, then a counter. Unique
   * like random UUIDs, without a SecureRandom draw on every request.
   */
  private static final long PROCESS_BITS = new SecureRandom().nextLong();

  private static final AtomicLong SEQUENCE = new AtomicLong();

  private RequestIds() {}

  static void assign(RoutingContext ctx) {
    String given = ctx.request().getHeader(HEADER);
    String id = given != null && SANE.matcher(given).matches() ? given : next();
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
  }

  static String next() {
    return new UUID(PROCESS_BITS, SEQUENCE.incrementAndGet()).toString();
  }

  static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "-" : id;
  }
}
