package com.cartgateway.loadtest;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;

/**
 * Parameters of a load-test run, read once from Java system properties (see README.md).
 *
 * <p>The gatling-maven-plugin forks a JVM for the simulation and copies the {@code -D} user
 * properties of the Maven command line into it, so {@code mvn ... -Drate=800} reaches this class.
 */
public record LoadTestConfig(
    String baseUrl,
    String jwtSecret,
    String adminToken,
    int users,
    int durationSeconds,
    double rate,
    int skus) {

  public static final String DEFAULT_BASE_URL = "http://127.0.0.1:8080";
  public static final String DEFAULT_JWT_SECRET = "dev-only-jwt-secret-change-me-0123456789";
  public static final String DEFAULT_ADMIN_TOKEN = "dev-admin-token-change-me";

  /** The contract caps a cart at 100 distinct lines (422 cart_full). */
  public static final int MAX_LINES_PER_CART = 100;

  /** Lines every shopper's cart holds after the read/mixed setup. */
  public static final int SETUP_LINES_PER_CART = 3;

  /** Shoppers that the setup phase starts per second (each does 1 to 4 requests). */
  public static final double SETUP_SHOPPERS_PER_SECOND = 100.0;

  /** The gateway's default per-identity rate limits (CART_RATE_LIMIT_READS / _WRITES). */
  public static final double GATEWAY_READ_LIMIT_PER_IDENTITY = 100.0;
  public static final double GATEWAY_WRITE_LIMIT_PER_IDENTITY = 20.0;

  private static volatile LoadTestConfig instance;

  /** The run's configuration, read from system properties on first use and then kept. */
  public static LoadTestConfig get() {
    LoadTestConfig c = instance;
    if (c == null) {
      synchronized (LoadTestConfig.class) {
        c = instance;
        if (c == null) {
          c = fromSystemProperties();
          instance = c;
        }
      }
    }
    return c;
  }

  static LoadTestConfig fromSystemProperties() {
    String baseUrl = stripTrailingSlash(prop("baseUrl", DEFAULT_BASE_URL));
    LoadTestConfig c =
        new LoadTestConfig(
            baseUrl,
            prop("jwtSecret", DEFAULT_JWT_SECRET),
            prop("adminToken", DEFAULT_ADMIN_TOKEN),
            intProp("users", 200),
            intProp("durationSeconds", 30),
            doubleProp("rate", 500.0),
            intProp("skus", 50));
    c.validate();
    return c;
  }

  private void validate() {
    require(users >= 1, "users must be >= 1, got " + users);
    require(durationSeconds >= 1, "durationSeconds must be >= 1, got " + durationSeconds);
    require(rate > 0 && Double.isFinite(rate), "rate must be > 0, got " + rate);
    require(
        skus >= SETUP_LINES_PER_CART && skus <= MAX_LINES_PER_CART,
        "skus must be between " + SETUP_LINES_PER_CART + " and " + MAX_LINES_PER_CART
            + " (a cart holds at most " + MAX_LINES_PER_CART + " lines), got " + skus);
    require(!jwtSecret.isEmpty(), "jwtSecret must not be empty");
    require(!adminToken.isEmpty(), "adminToken must not be empty");
    requireLoopback(baseUrl);
  }

  /**
   * Load is only ever sent to this machine: the base URL's host must resolve to loopback
   * addresses only (127.0.0.0/8 or ::1).
   */
  private static void requireLoopback(String baseUrl) {
    URI uri;
    try {
      uri = URI.create(baseUrl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("baseUrl is not a URL: " + baseUrl, e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    require(scheme.equals("http") || scheme.equals("https"), "baseUrl must be http(s): " + baseUrl);
    String host = uri.getHost();
    require(host != null && !host.isEmpty(), "baseUrl has no host: " + baseUrl);
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cannot resolve host of baseUrl " + baseUrl, e);
    }
    for (InetAddress a : addresses) {
      require(
          a.isLoopbackAddress(),
          "refusing to send load to " + host + " (" + a.getHostAddress()
              + "): baseUrl must be a loopback address such as 127.0.0.1, localhost or [::1]");
    }
  }

  /**
   * Prints a warning when the measured traffic, spread evenly over {@code shoppers}, would exceed
   * half of the gateway's default per-identity rate limits: 429s would then count as failures.
   */
  public static void warnAboutRateLimits(double readsPerSec, double writesPerSec, int shoppers) {
    double reads = readsPerSec / shoppers;
    double writes = writesPerSec / shoppers;
    if (reads > GATEWAY_READ_LIMIT_PER_IDENTITY / 2 || writes > GATEWAY_WRITE_LIMIT_PER_IDENTITY / 2) {
      System.out.printf(
          Locale.ROOT,
          "[loadtest] WARNING: %.1f reads/s and %.1f writes/s per shopper come close to the gateway's"
              + " default per-identity limits (%.0f and %.0f): raise -Dusers, or start the gateway"
              + " with CART_RATE_LIMIT_READS=0 CART_RATE_LIMIT_WRITES=0%n",
          reads,
          writes,
          GATEWAY_READ_LIMIT_PER_IDENTITY,
          GATEWAY_WRITE_LIMIT_PER_IDENTITY);
    }
  }

  /** Total requests the main (measured) phase injects. */
  public long plannedRequests() {
    return Math.round(rate * durationSeconds);
  }

  public Duration duration() {
    return Duration.ofSeconds(durationSeconds);
  }

  public String describe() {
    return String.format(
        Locale.ROOT,
        "baseUrl=%s users=%d durationSeconds=%d rate=%s skus=%d adminToken=%s jwtSecret=%s",
        baseUrl,
        users,
        durationSeconds,
        stripZero(rate),
        skus,
        redact(adminToken),
        redact(jwtSecret));
  }

  private static String stripZero(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static String redact(String secret) {
    if (secret.equals(DEFAULT_ADMIN_TOKEN) || secret.equals(DEFAULT_JWT_SECRET)) {
      return "<dev default>";
    }
    return "<" + secret.length() + " chars>";
  }

  private static String prop(String name, String dflt) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? dflt : v.trim();
  }

  private static int intProp(String name, int dflt) {
    String v = prop(name, null);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + name + " must be an integer, got '" + v + "'", e);
    }
  }

  private static double doubleProp(String name, double dflt) {
    String v = prop(name, null);
    if (v == null) {
      return dflt;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + name + " must be a number, got '" + v + "'", e);
    }
  }

  private static String stripTrailingSlash(String s) {
    String r = s;
    while (r.endsWith("/")) {
      r = r.substring(0, r.length() - 1);
    }
    return r;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
