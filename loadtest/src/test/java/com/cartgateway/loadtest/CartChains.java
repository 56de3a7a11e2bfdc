package com.cartgateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.IntFunction;

/** Requests, setup phases and the HTTP protocol shared by the cart simulations. */
public final class CartChains {

  /** Adds one shopper may receive in a run (write traffic is spread so that none gets more). */
  public static final int MAX_ADDS_PER_SHOPPER = 30;

  /** Shoppers are sized so that the mean stays at this many adds, below the cap above. */
  static final int TARGET_ADDS_PER_SHOPPER = 25;

  /** Attempts of one setup request that the gateway answers 429 (rate_limited). */
  static final int SETUP_MAX_TRIES = 5;

  static final String SKU_PREFIX = "LT-SKU-";
  static final String SKU_BODY = "{\"price\":\"19.99\",\"currency\":\"USD\",\"stock\":1000000}";

  /** A guest adds each of its lines with 1 to this many units. */
  static final int MAX_GUEST_QUANTITY = 3;

  // Session attribute names.
  private static final String SHOPPER = "shopper";
  private static final String AUTH = "auth";
  private static final String SKU = "sku";
  private static final String INM = "ifNoneMatch";
  private static final String ETAG = "etag";
  private static final String VERSION = "version";
  private static final String STATUS = "status";
  private static final String TRY = "try";
  private static final String RETRY_AFTER = "retryAfter";
  private static final String QUANTITY = "quantity";
  private static final String GUEST = "guestSession";
  private static final String GUEST_LINES = "guestLines";

  private final LoadTestConfig cfg;
  private final Shoppers shoppers;
  private final AtomicIntegerArray adds;
  private final AtomicInteger nextSetupShopper = new AtomicInteger();
  private final AtomicInteger nextSigningIn = new AtomicInteger();

  /**
   * @param shopperCount distinct shoppers of the run (at least {@code cfg.users()})
   */
  public CartChains(LoadTestConfig cfg, int shopperCount) {
    this.cfg = cfg;
    // Tokens outlive the whole run, including setup and a slow drain.
    Instant exp = Instant.now().plusSeconds(Math.max(3600, 2L * maxDuration(shopperCount).toSeconds()));
    this.shoppers = new Shoppers(shopperCount, cfg.jwtSecret(), exp);
    this.adds = new AtomicIntegerArray(shopperCount);
  }

  /** Shoppers needed so that {@code plannedWrites} adds average at most TARGET_ADDS_PER_SHOPPER. */
  public static int shoppersForWrites(LoadTestConfig cfg, double plannedWrites) {
    long needed = (long) Math.ceil(plannedWrites / TARGET_ADDS_PER_SHOPPER);
    return (int) Math.max(cfg.users(), Math.min(Integer.MAX_VALUE, needed));
  }

  public Shoppers shoppers() {
    return shoppers;
  }

  public HttpProtocolBuilder protocol() {
    return http.baseUrl(cfg.baseUrl())
        .acceptHeader("application/json, application/problem+json")
        .userAgentHeader("cart-gateway-loadtest")
        // No request to gatling.io (the default warm-up URL): only the gateway is contacted.
        .disableWarmUp()
        // Gatling's own HTTP cache would add If-None-Match by itself; we control it.
        .disableCaching()
        // One keep-alive pool for all virtual users, like a fleet of API clients behind a
        // load balancer, instead of a new TCP connection per (one-request) virtual user.
        .shareConnections();
  }

  /** An upper bound on a whole run: setup, the measured phase and a drain. Stops it by itself. */
  public Duration maxDuration(int shopperCount) {
    return maxDuration(shopperCount, cfg.duration());
  }

  /** As {@link #maxDuration(int)}, for a measured phase that lasts {@code measured}. */
  public Duration maxDuration(int shopperCount, Duration measured) {
    long setup = (long) Math.ceil(shopperCount / LoadTestConfig.SETUP_SHOPPERS_PER_SECOND) + 60;
    return Duration.ofSeconds(setup + measured.toSeconds() + 60);
  }

  public static String skuId(int i) {
    return String.format("%s%04d", SKU_PREFIX, i + 1);
  }

  // ---------------------------------------------------------------------------------------
  // Setup

  /** One virtual user PUTs every SKU through the admin API. */
  public PopulationBuilder catalogSetup() {
    return catalogSetup("setup: catalog", cfg.skus(), CartChains::skuId, SKU_BODY);
  }

  /**
   * One virtual user PUTs {@code count} SKUs named {@code id(0)} .. with {@code body} through the
   * admin API (200, 201 or 204 expected).
   */
  PopulationBuilder catalogSetup(String name, int count, IntFunction<String> id, String body) {
    String adminAuth = "Bearer " + cfg.adminToken();
    HttpRequestActionBuilder put =
        http("setup PUT /v1/admin/skus/{sku}")
            .put("/v1/admin/skus/#{" + SKU + "}")
            .header("Authorization", adminAuth)
            .header("Content-Type", "application/json")
            .body(StringBody(body));
    ChainBuilder chain =
        repeat(count, "skuIndex")
            .on(
                exec(s -> s.set(SKU, id.apply(s.getInt("skuIndex"))))
                    .exec(retrying429(put, new int[] {200, 201, 204}))
                    .exitHereIfFailed());
    return scenario(name).exec(group("setup").on(chain)).injectOpen(atOnceUsers(1));
  }

  /**
   * Every shopper's cart is emptied ({@code DELETE /v1/cart}) and, when {@code lines > 0}, given
   * that many lines of quantity 1 (distinct SKUs). The ETag of the last answer is remembered.
   */
  public PopulationBuilder cartSetup(int lines) {
    int n = shoppers.size();
    HttpRequestActionBuilder clear =
        http("setup DELETE /v1/cart").delete("/v1/cart").header("Authorization", "#{" + AUTH + "}");
    HttpRequestActionBuilder add =
        http("setup POST /v1/cart/items")
            .post("/v1/cart/items")
            .header("Authorization", "#{" + AUTH + "}")
            .header("Content-Type", "application/json")
            .body(StringBody("{\"sku\":\"#{" + SKU + "}\",\"quantity\":1}"));
    CheckBuilder[] etagChecks = {
      header("ETag").optional().saveAs(ETAG), jsonPath("$.version").optional().saveAs(VERSION)
    };

    ChainBuilder chain =
        exec(
                s -> {
                  int i = nextSetupShopper.getAndIncrement() % n;
                  return s.set(SHOPPER, i).set(AUTH, shoppers.authorization(i));
                })
            .exec(retrying429(clear, new int[] {200}, etagChecks))
            .exitHereIfFailed()
            .exec(this::rememberEtag);
    if (lines > 0) {
      chain =
          chain.exec(
              repeat(lines, "line")
                  .on(
                      exec(s -> s.set(SKU, skuId((s.getInt(SHOPPER) + s.getInt("line")) % cfg.skus())))
                          .exec(retrying429(add, new int[] {200}, etagChecks))
                          .exitHereIfFailed()
                          .exec(this::rememberEtag)));
    }
    Duration spread =
        Duration.ofMillis(
            Math.max(1000L, (long) Math.ceil(n * 1000.0 / LoadTestConfig.SETUP_SHOPPERS_PER_SECOND)));
    return scenario("setup: carts")
        .exec(group("setup").on(chain))
        .injectOpen(rampUsers(n).during(spread));
  }

  /**
   * Sends {@code request}; while the gateway answers 429 (and tries remain) waits Retry-After
   * (capped at 5 s) and sends it again. A 429 on the last try is a failure, as is any status
   * outside {@code ok}. Bounded: at most SETUP_MAX_TRIES requests.
   */
  static ChainBuilder retrying429(HttpRequestActionBuilder request, int[] ok, CheckBuilder... extra) {
    Integer[] okStatuses = Arrays.stream(ok).boxed().toArray(Integer[]::new);
    Integer[] okOr429 = Arrays.copyOf(okStatuses, okStatuses.length + 1);
    okOr429[okStatuses.length] = 429;

    CheckBuilder[] lenientChecks = concat(
        new CheckBuilder[] {
          status().in(okOr429).saveAs(STATUS), header("Retry-After").optional().saveAs(RETRY_AFTER)
        },
        extra);
    CheckBuilder[] strictChecks = concat(new CheckBuilder[] {status().in(okStatuses).saveAs(STATUS)}, extra);
    HttpRequestActionBuilder lenient = request.check(lenientChecks);
    HttpRequestActionBuilder strict = request.check(strictChecks);

    return exec(s -> s.set(TRY, 0).set(STATUS, 429))
        .asLongAs(s -> s.getInt(STATUS) == 429 && s.getInt(TRY) < SETUP_MAX_TRIES)
        .on(
            // A failed request (connection refused, bad status) leaves STATUS at -1: loop ends.
            exec(s -> s.set(TRY, s.getInt(TRY) + 1).set(STATUS, -1).remove(RETRY_AFTER))
                .doIfOrElse(s -> s.getInt(TRY) < SETUP_MAX_TRIES)
                .then(exec(lenient))
                .orElse(exec(strict))
                .doIf(s -> s.getInt(STATUS) == 429)
                .then(pause(CartChains::retryAfter)));
  }

  private static Duration retryAfter(Session s) {
    long seconds = 1;
    String v = s.contains(RETRY_AFTER) ? s.getString(RETRY_AFTER) : null;
    if (v != null) {
      try {
        seconds = Long.parseLong(v.trim());
      } catch (NumberFormatException ignored) {
        // An HTTP-date: keep the default.
      }
    }
    return Duration.ofSeconds(Math.max(1, Math.min(5, seconds)));
  }

  private static CheckBuilder[] concat(CheckBuilder[] a, CheckBuilder[] b) {
    CheckBuilder[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  // ---------------------------------------------------------------------------------------
  // Measured requests

  /**
   * {@code GET /v1/cart} by a random shopper. Half of the requests (those whose shopper has a
   * known ETag) send {@code If-None-Match} with it and accept 200 or 304; the others expect 200.
   */
  public ChainBuilder readCart() {
    return exec(
            s -> {
              int i = shoppers.random();
              String etag = shoppers.etag(i);
              boolean conditional = etag != null && ThreadLocalRandom.current().nextBoolean();
              return s.set(SHOPPER, i)
                  .set(AUTH, shoppers.authorization(i))
                  .set(INM, conditional ? etag : "");
            })
        .doIfOrElse(s -> !s.getString(INM).isEmpty())
        .then(
            exec(
                http("GET /v1/cart If-None-Match")
                    .get("/v1/cart")
                    .header("Authorization", "#{" + AUTH + "}")
                    .header("If-None-Match", "#{" + INM + "}")
                    .check(status().in(200, 304), header("ETag").optional().saveAs(ETAG))))
        .orElse(
            exec(
                http("GET /v1/cart")
                    .get("/v1/cart")
                    .header("Authorization", "#{" + AUTH + "}")
                    .check(status().is(200), header("ETag").optional().saveAs(ETAG))))
        .exec(this::rememberEtag);
  }

  /**
   * {@code POST /v1/cart/items} of quantity 1 of a random SKU by a random shopper that has had
   * fewer than MAX_ADDS_PER_SHOPPER adds this run. Only 200 is a success (409 out_of_stock is a
   * failure: stock is huge).
   */
  public ChainBuilder addItem() {
    return exec(
            s -> {
              int i = pickShopperForAdd();
              return s.set(SHOPPER, i)
                  .set(AUTH, shoppers.authorization(i))
                  .set(SKU, skuId(ThreadLocalRandom.current().nextInt(cfg.skus())));
            })
        .exec(
            http("POST /v1/cart/items")
                .post("/v1/cart/items")
                .header("Authorization", "#{" + AUTH + "}")
                .header("Content-Type", "application/json")
                .body(StringBody("{\"sku\":\"#{" + SKU + "}\",\"quantity\":1}"))
                .check(status().is(200), header("ETag").optional().saveAs(ETAG)))
        .exec(this::rememberEtag);
  }

  /**
   * A guest browses, then signs in. It adds {@code lines} distinct random SKUs of 1 to 3 units:
   * the first add without identity (the gateway issues the session in {@code X-Cart-Session}),
   * the next ones with that session. It reads its cart (exactly those lines), then signs in as the
   * next shopper and sends {@code POST /v1/cart/merge} with the user's token and the session: the
   * merged cart must hold every guest SKU with at least the guest's quantity (true under every
   * merge policy). Last, the guest session's cart must read empty (the guest cart is gone).
   */
  public ChainBuilder guestSignsInAndMerges() {
    String addBody = "{\"sku\":\"#{" + SKU + "}\",\"quantity\":#{" + QUANTITY + "}}";
    HttpRequestActionBuilder firstAdd =
        http("guest POST /v1/cart/items (no session yet)")
            .post("/v1/cart/items")
            .header("Content-Type", "application/json")
            .body(StringBody(addBody))
            .check(status().is(200), header("X-Cart-Session").saveAs(GUEST));
    HttpRequestActionBuilder add =
        http("guest POST /v1/cart/items")
            .post("/v1/cart/items")
            .header("X-Cart-Session", "#{" + GUEST + "}")
            .header("Content-Type", "application/json")
            .body(StringBody(addBody))
            .check(status().is(200));
    HttpRequestActionBuilder read =
        http("guest GET /v1/cart")
            .get("/v1/cart")
            .header("X-Cart-Session", "#{" + GUEST + "}")
            .check(
                status().is(200),
                jsonPath("$.items[*]")
                    .ofMap()
                    .findAll()
                    .validate(
                        "the guest cart holds exactly the guest's lines",
                        (items, s) -> {
                          Map<String, Integer> found = quantities(items);
                          if (!found.equals(guestLines(s))) {
                            throw new IllegalStateException(
                                "expected " + guestLines(s) + ", found " + found);
                          }
                          return items;
                        }));
    HttpRequestActionBuilder merge =
        http("POST /v1/cart/merge")
            .post("/v1/cart/merge")
            .header("Authorization", "#{" + AUTH + "}")
            .header("X-Cart-Session", "#{" + GUEST + "}")
            .check(
                status().is(200),
                jsonPath("$.items[*]")
                    .ofMap()
                    .findAll()
                    .validate(
                        "the merged cart holds every guest SKU, at least the guest's quantity",
                        (items, s) -> {
                          Map<String, Integer> merged = quantities(items);
                          guestLines(s)
                              .forEach(
                                  (sku, quantity) -> {
                                    if (merged.getOrDefault(sku, 0) < quantity) {
                                      throw new IllegalStateException(
                                          "guest line " + sku + " x" + quantity
                                              + " missing or short in " + merged);
                                    }
                                  });
                          return items;
                        }));
    HttpRequestActionBuilder gone =
        http("guest GET /v1/cart after merge")
            .get("/v1/cart")
            .header("X-Cart-Session", "#{" + GUEST + "}")
            .check(
                status().is(200),
                jsonPath("$.items[*]").count().is(0).name("the guest cart is empty"));

    return exec(
            s -> {
              List<Integer> skus = new ArrayList<>();
              for (int k = 0; k < cfg.skus(); k++) {
                skus.add(k);
              }
              Collections.shuffle(skus, ThreadLocalRandom.current());
              Map<String, Integer> lines = new LinkedHashMap<>();
              for (int k : skus.subList(0, cfg.lines())) {
                lines.put(skuId(k), 1 + ThreadLocalRandom.current().nextInt(MAX_GUEST_QUANTITY));
              }
              int i = nextSigningIn.getAndIncrement() % shoppers.size();
              return s.set(GUEST_LINES, lines).set(AUTH, shoppers.authorization(i));
            })
        .foreach(s -> List.copyOf(guestLines(s).entrySet()), "line", "lineIndex")
        .on(
            exec(
                    s -> {
                      Map.Entry<String, Integer> line = s.get("line");
                      return s.set(SKU, line.getKey()).set(QUANTITY, line.getValue());
                    })
                .doIfOrElse(s -> s.getInt("lineIndex") == 0)
                .then(exec(firstAdd))
                .orElse(exec(add))
                .exitHereIfFailed())
        .exec(read)
        .exitHereIfFailed()
        .exec(merge)
        .exitHereIfFailed()
        .exec(gone);
  }

  private static Map<String, Integer> guestLines(Session s) {
    return s.get(GUEST_LINES);
  }

  /** SKU to quantity of a cart body's {@code items}. */
  private static Map<String, Integer> quantities(List<Map<String, Object>> items) {
    Map<String, Integer> lines = new TreeMap<>();
    for (Map<String, Object> item : items) {
      lines.put((String) item.get("sku"), ((Number) item.get("quantity")).intValue());
    }
    return lines;
  }

  /** A random shopper with spare adds; probes onward from a random start. Bounded by the count. */
  private int pickShopperForAdd() {
    int n = shoppers.size();
    int start = shoppers.random();
    for (int k = 0; k < n; k++) {
      int i = (start + k) % n;
      int c = adds.get(i);
      if (c < MAX_ADDS_PER_SHOPPER && adds.compareAndSet(i, c, c + 1)) {
        return i;
      }
    }
    // Every shopper is at the cap (more adds than planned): still far from the cart's caps.
    int i = start;
    adds.incrementAndGet(i);
    return i;
  }

  private Session rememberEtag(Session s) {
    if (s.contains(SHOPPER)) {
      int i = s.getInt(SHOPPER);
      if (s.contains(ETAG)) {
        shoppers.rememberEtag(i, s.getString(ETAG));
      } else if (s.contains(VERSION)) {
        Object v = s.get(VERSION);
        shoppers.rememberEtag(i, "\"" + v + "\"");
      }
    }
    return s.remove(ETAG).remove(VERSION);
  }
}
