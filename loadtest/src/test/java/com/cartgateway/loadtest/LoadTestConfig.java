package com.cartgateway.loadtest;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;

/**
 * Parameters of a load-test run, read once from Java system properties (see README.md) by the
 * simulation's constructor, with that simulation's {@link Defaults}.
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
    int skus,
    int lines,
    int scarceSkus,
    int stock,
    int p99Millis) {

  public static final String DEFAULT_BASE_URL = "http://127.0.0.1:8080";
  public static final String DEFAULT_JWT_SECRET = "dev-only-jwt-secret-change-me-0123456789";
  public static final String DEFAULT_ADMIN_TOKEN = "dev-admin-token-change-me";

  /** The contract caps a cart at 100 distinct lines (422 cart_full). */
  public static final int MAX_LINES_PER_CART = 100;

  /** Shoppers that the setup phase starts per second (each does 1 to lines + 1 requests). */
  public static final double SETUP_SHOPPERS_PER_SECOND = 100.0;

  /** The gateway's default per-identity rate limits (CART_RATE_LIMIT_READS / _WRITES). */
  public static final double GATEWAY_READ_LIMIT_PER_IDENTITY = 100.0;
  public static final double GATEWAY_WRITE_LIMIT_PER_IDENTITY = 20.0;

  /**
   * The values a simulation runs with where no property is given: they differ with the job (a
   * soak is long and moderate, new guests all come from this machine's one address, ...).
   */
  public record Defaults(int users, int durationSeconds, double rate, int lines) {}

  /** The run's configuration, read from system properties, validated. */
  public static LoadTestConfig get(Defaults defaults) {
    return fromSystemProperties(defaults);
  }

  static LoadTestConfig fromSystemProperties(Defaults defaults) {
    String baseUrl = stripTrailingSlash(prop("baseUrl", DEFAULT_BASE_URL));
    LoadTestConfig c =
        new LoadTestConfig(
            baseUrl,
            prop("jwtSecret", DEFAULT_JWT_SECRET),
            prop("adminToken", DEFAULT_ADMIN_TOKEN),
            intProp("users", defaults.users()),
            intProp("durationSeconds", defaults.durationSeconds()),
            doubleProp("rate", defaults.rate()),
            intProp("skus", 50),
            intProp("lines", defaults.lines()),
            intProp("scarceSkus", 2),
            intProp("stock", 50),
            intProp("p99Millis", 1000));
    c.validate();
    return c;
  }

  private void validate() {
    require(users >= 1, "users must be >= 1, got " + users);
    require(durationSeconds >= 1, "durationSeconds must be >= 1, got " + durationSeconds);
    require(rate > 0 && Double.isFinite(rate), "rate must be > 0, got " + rate);
    require(
        skus >= 1 && skus <= MAX_LINES_PER_CART,
        "skus must be between 1 and " + MAX_LINES_PER_CART
            + " (a cart holds at most " + MAX_LINES_PER_CART + " lines), got " + skus);
    require(
        lines >= 1 && lines <= skus,
        "lines must be between 1 and skus (" + skus + "), got " + lines);
    // The rush ends by reading each scarce SKU back to back, and GET /v1/skus is limited per
    // client address (default 100/s, bursts of 200): at most 100 stay within one burst.
    require(
        scarceSkus >= 1 && scarceSkus <= MAX_LINES_PER_CART,
        "scarceSkus must be between 1 and " + MAX_LINES_PER_CART + ", got " + scarceSkus);
    require(stock >= 1, "stock must be >= 1, got " + stock);
    require(p99Millis >= 1, "p99Millis must be >= 1, got " + p99Millis);
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

  /**
   * Prints a warning when new guests would exceed half of the gateway's default write limit: a
   * write without identity is counted by client address, and every guest of a run comes from this
   * machine's one address.
   */
  public static void warnAboutNewGuests(double guestsPerSec) {
    if (guestsPerSec > GATEWAY_WRITE_LIMIT_PER_IDENTITY / 2) {
      System.out.printf(
          Locale.ROOT,
          "[loadtest] WARNING: %.1f new guests/s all start from this machine's address, which the"
              + " gateway's default write limit (%.0f/s per address) counts as one caller: lower"
              + " -Drate, or start the gateway with CART_RATE_LIMIT_WRITES=0%n",
          guestsPerSec,
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
        "baseUrl=%s users=%d durationSeconds=%d rate=%s skus=%d lines=%d scarceSkus=%d stock=%d"
            + " p99Millis=%d adminToken=%s jwtSecret=%s",
        baseUrl,
        users,
        durationSeconds,
        stripZero(rate),
        skus,
        lines,
        scarceSkus,
        stock,
        p99Millis,
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
