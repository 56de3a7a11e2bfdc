package com.cartgateway.http;

import com.cartgateway.cart.CartStore;
import io.netty.util.NetUtil;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads and checks request bodies, path parameters, conditional headers and the client address that
 * trusted proxies forward.
 */
final class Requests {
  private static final Pattern SKU = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern ETAG = Pattern.compile("\"(\\d{1,18})\"");
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  static final int MAX_VARIANT_BYTES = 1024;

  private Requests() {}

  /** Refuses a body that is not JSON with 415; a request without a body passes. */
  static void requireJsonIfBody(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    boolean hasBody =
        ctx.request().getHeader("Transfer-Encoding") != null
            || !"0".equals(ctx.request().getHeader("Content-Length"))
                && ctx.request().getHeader("Content-Length") != null;
    if (type == null ? hasBody : !isJson(type)) {
      ctx.fail(415);
      return;
    }
    ctx.next();
  }

  private static boolean isJson(String contentType) {
    String media = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return media.equals("application/json");
  }

  /**
   * The body as a JSON object ({@link StrictJson}); an absent or empty body is an empty object when
   * allowed.
   */
  static JsonObject object(RoutingContext ctx, boolean required) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      if (required) {
        throw ApiError.invalid("body", "a JSON object is required");
      }
      return new JsonObject();
    }
    Object parsed;
    try {
      parsed = StrictJson.parse(body);
    } catch (StrictJson.Malformed e) {
      throw ApiError.invalid("body", e.getMessage());
    }
    if (!(parsed instanceof JsonObject object)) {
      throw ApiError.invalid("body", "must be a JSON object");
    }
    return object;
  }

  /** A SKU from the body or the path. */
  static String sku(Object value, String field) {
    if (!(value instanceof String text) || !SKU.matcher(text).matches()) {
      throw ApiError.invalid(field, "must match [A-Za-z0-9._-]{1,64}");
    }
    return text;
  }

  /** A quantity: a JSON integer from 1 to {@code max}. */
  static int quantity(JsonObject body, int max) {
    Object value = body.getValue("quantity");
    boolean integral =
        value instanceof Integer || value instanceof Long || value instanceof BigInteger;
    if (!integral) {
      throw ApiError.invalid("quantity", "must be an integer from 1 to " + max);
    }
    BigInteger number = new BigInteger(value.toString());
    if (number.signum() <= 0 || number.compareTo(BigInteger.valueOf(max)) > 0) {
      throw ApiError.invalid("quantity", "must be an integer from 1 to " + max);
    }
    return number.intValueExact();
  }

  /** The optional variant: a JSON object of at most 1 KiB. */
  static JsonObject variant(JsonObject body) {
    Object value = body.getValue("variant");
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject object)) {
      throw ApiError.invalid("variant", "must be a JSON object");
    }
    if (object.toBuffer().length() > MAX_VARIANT_BYTES) {
      throw ApiError.invalid("variant", "must be at most " + MAX_VARIANT_BYTES + " bytes");
    }
    if (!withinDoubles(object)) {
      throw ApiError.invalid("variant", "numbers must be within the range of a double");
    }
    return object;
  }

  /**
   * Whether every fraction or exponent in the value is a finite, and for a non-zero one a non-zero,
   * double: the stored variant is read back as doubles, and {@code 1e400} would come back as {@code
   * "Infinity"}, {@code 1e-400} as 0.
   */
  private static boolean withinDoubles(Object value) {
    if (value instanceof BigDecimal decimal) {
      double d = decimal.doubleValue();
      return !Double.isInfinite(d) && (d != 0 || decimal.signum() == 0);
    }
    if (value instanceof JsonObject object) {
      return object.stream().allMatch(e -> withinDoubles(e.getValue()));
    }
    if (value instanceof JsonArray array) {
      return array.stream().allMatch(Requests::withinDoubles);
    }
    return true;
  }

  /** The version named by {@code If-Match}, or null when the write is unconditional. */
  static Long ifMatch(RoutingContext ctx) {
    String header = ctx.request().getHeader("If-Match");
    if (header == null || header.trim().equals("*")) {
      return null;
    }
    var matcher = ETAG.matcher(header.trim());
    if (!matcher.matches()) {
      throw ApiError.invalid("If-Match", "must be a cart ETag such as \"7\"");
    }
    return Long.parseLong(matcher.group(1));
  }

  /** The request's {@code Idempotency-Key}, or null when it has none. */
  static String idempotencyKey(RoutingContext ctx) {
    String key = ctx.request().getHeader(IDEMPOTENCY_KEY);
    if (key != null && !KEY.matcher(key).matches()) {
      throw ApiError.invalid(IDEMPOTENCY_KEY, "must match [A-Za-z0-9._:-]{1,128}");
    }
    return key;
  }

  /** Whether {@code If-None-Match} names the given version (or any, with {@code *}). */
  static boolean noneMatchHits(RoutingContext ctx, long version) {
    String header = ctx.request().getHeader("If-None-Match");
    if (header == null) {
      return false;
    }
    String current = etag(version);
    for (String tag : header.split(",")) {
      String candidate = tag.trim();
      if (candidate.startsWith("W/")) {
        candidate = candidate.substring(2);
      }
      if (candidate.equals("*") || candidate.equals(current)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The version a GET's caller knows the cart reached, so that no older copy is served from memory:
   * the newest version its {@code If-None-Match} names (a client sends the ETag of its own last
   * write), or every version with {@code Cache-Control: no-cache}, which asks Redis itself.
   */
  static long knownVersion(RoutingContext ctx) {
    String cacheControl = ctx.request().getHeader(HttpHeaders.CACHE_CONTROL);
    if (cacheControl != null && cacheControl.toLowerCase(Locale.ROOT).contains("no-cache")) {
      return CartStore.FROM_REDIS;
    }
    String header = ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH);
    long known = 0;
    if (header != null) {
      for (String tag : header.split(",")) {
        String candidate = tag.trim();
        var matcher = ETAG.matcher(candidate.startsWith("W/") ? candidate.substring(2) : candidate);
        if (matcher.matches()) {
          known = Math.max(known, Long.parseLong(matcher.group(1)));
        }
      }
    }
    return known;
  }

  static String etag(long version) {
    return "\"" + version + "\"";
  }

  private static final String CLIENT = "clientAddress";

  /**
   * Records the caller's address for rate limits: the client's as our trusted proxies report it in
   * {@code X-Forwarded-For}, else the TCP peer's. Vert.x Web's own forward support ({@code
   * Router.allowForward}) takes the leftmost entry, which the client writes itself, and trusts the
   * forwarded host and scheme too; so the entry is picked here and nothing else changes. Without
   * trusted proxies the header is ignored, so it cannot be spoofed.
   */
  static void resolveClient(RoutingContext ctx, int trustedHops) {
    String forwarded =
        forwardedClient(ctx.request().headers().getAll("X-Forwarded-For"), trustedHops);
    ctx.put(CLIENT, forwarded != null ? forwarded : ctx.request().remoteAddress().hostAddress());
  }

  /** The caller's address, as {@link #resolveClient} found it. */
  static String clientAddress(RoutingContext ctx) {
    String client = ctx.get(CLIENT);
    return client != null ? client : ctx.request().remoteAddress().hostAddress();
  }

  /**
   * The client address that trusted proxies report in {@code X-Forwarded-For}, or null when the TCP
   * peer is to be used instead. Each proxy appends the address it was reached from, so the entry
   * {@code trustedHops} places from the right was written by our outermost proxy; entries further
   * left come from the client and are never read. With no trusted proxy, fewer entries than
   * proxies, or an entry that is not an IP literal, the answer is null.
   *
   * @param headers every {@code X-Forwarded-For} line of the request, in order
   * @param trustedHops proxies in front of the gateway
   * @return the client's IP literal (IPv6 without brackets), or null
   */
  static String forwardedClient(List<String> headers, int trustedHops) {
    if (trustedHops <= 0 || headers.isEmpty()) {
      return null;
    }
    // Several lines of the header are one list, in order (RFC 9110, 5.3).
    List<String> entries = new ArrayList<>();
    for (String line : headers) {
      for (String entry : line.split(",", -1)) {
        entries.add(entry.trim());
      }
    }
    if (entries.size() < trustedHops) {
      return null;
    }
    return ipLiteral(entries.get(entries.size() - trustedHops));
  }

  /** An IP literal without port or brackets ({@code [::1]:443}, {@code 10.0.0.1:80}), or null. */
  private static String ipLiteral(String entry) {
    String host = entry;
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      host = close < 0 ? "" : host.substring(1, close);
    } else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') >= 0) {
      host = host.substring(0, host.indexOf(':'));
    }
    return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host) ? host : null;
  }
}
