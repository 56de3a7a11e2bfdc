package com.cartgateway.durability;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Shoppers adding to their carts concurrently, each add one unit of a SKU the cart does not have
 * yet, under its own {@code Idempotency-Key}, so that a cart's lines say exactly which adds it
 * kept. Records every 2xx (SKU and version) per cart, and counts every outcome by phase of the
 * scenario ({@link #phase(String)}).
 *
 * <p>No add is retried: a retry after a Redis loss would find no idempotency record and apply
 * again, and then a line's quantity could no longer tell whether one add was applied twice.
 */
final class WriteLoad implements AutoCloseable {
  /** Adds a cart takes before its shopper moves to a fresh cart: under the 100-line limit. */
  static final int ADDS_PER_CART = 90;

  /** The pause between two adds of one shopper: a steady load the 2-core machine keeps up with. */
  private static final Duration PACE = Duration.ofMillis(150);

  private static final String OK = "2xx";
  private static final String UNAVAILABLE = "503";

  private final String name;
  private final List<String> skus;
  private final Function<String, String> tokens;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(3))
          .build();
  private final List<Thread> threads = new ArrayList<>();
  private final List<CartRun> carts = new ArrayList<>();
  // phase -> outcome ("2xx", "503", a status and problem code, or a connection error) -> count
  private final Map<String, Map<String, LongAdder>> outcomes = new ConcurrentHashMap<>();
  private final Set<String> phases = new LinkedHashSet<>();
  private volatile AtomicLongArray lastAcknowledgedSend;
  private volatile String phase = "before";
  private volatile String baseUrl;
  private volatile boolean running;

  /**
   * @param name the scenario, for the summary
   * @param skus the SKUs a cart adds, in order; at least {@link #ADDS_PER_CART}
   * @param tokens a user id to a valid bearer token
   * @param baseUrl the gateway the load starts on
   */
  WriteLoad(String name, List<String> skus, Function<String, String> tokens, String baseUrl) {
    if (skus.size() < ADDS_PER_CART) {
      throw new IllegalArgumentException("need " + ADDS_PER_CART + " SKUs");
    }
    this.name = name;
    this.skus = List.copyOf(skus);
    this.tokens = tokens;
    this.baseUrl = baseUrl;
    phases.add(phase);
  }

  /** One cart of one shopper, and what it acknowledged. */
  static final class CartRun {
    final String user;
    final String token;
    // SKU -> version of the 2xx that added it
    final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    private int adds;

    CartRun(String user, String token) {
      this.user = user;
      this.token = token;
    }

    /** The highest version a 2xx reported, 0 when none did. */
    long newestAcknowledged() {
      return acknowledged.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }
  }

  /** Starts the shoppers; each runs until {@link #stop()}. */
  void start(int shoppers) {
    running = true;
    lastAcknowledgedSend = new AtomicLongArray(shoppers);
    for (int i = 0; i < shoppers; i++) {
      int shopper = i;
      Thread thread = new Thread(() -> shop(shopper), "load-" + name + "-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  /** Counts the outcomes of adds sent from now on under this phase. */
  synchronized void phase(String next) {
    phase = next;
    phases.add(next);
  }

  /** Sends the next adds to another gateway (the first one was killed). */
  void retarget(String url) {
    this.baseUrl = url;
  }

  /** Whether every shopper has had a 2xx for an add sent after {@code sinceNanos}. */
  boolean everyShopperAcknowledgedSince(long sinceNanos) {
    AtomicLongArray last = lastAcknowledgedSend;
    for (int i = 0; i < last.length(); i++) {
      if (last.get(i) - sinceNanos <= 0) {
        return false;
      }
    }
    return true;
  }

  /** Stops the shoppers and waits for their last requests to end. */
  void stop() throws InterruptedException {
    running = false;
    for (Thread thread : threads) {
      thread.join(Duration.ofSeconds(30).toMillis());
    }
  }

  /** Every cart the load used. */
  synchronized List<CartRun> carts() {
    return List.copyOf(carts);
  }

  /** Adds answered 2xx, over every phase. */
  long acknowledged() {
    return total(OK);
  }

  /** Adds sent during a phase and answered 2xx. */
  long acknowledged(String phase) {
    return counts(phase).getOrDefault(OK, 0L);
  }

  /** Sent, 2xx, 503 and other outcomes, in total and by phase. */
  synchronized String summary() {
    StringBuilder byPhase = new StringBuilder();
    for (String p : phases) {
      Map<String, Long> counts = counts(p);
      if (!counts.isEmpty()) {
        byPhase.append(' ').append(p).append(counts);
      }
    }
    long sent = outcomes.values().stream().mapToLong(WriteLoad::sum).sum();
    long ok = total(OK);
    long unavailable = total(UNAVAILABLE);
    return String.format(
        "[WriteLoadFaultIT] %s: carts=%d sent=%d 2xx=%d 503=%d other=%d |%s",
        name, carts.size(), sent, ok, unavailable, sent - ok - unavailable, byPhase);
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  private void shop(int shopper) {
    int generation = 0;
    CartRun cart = newCart(shopper, generation);
    while (running) {
      if (cart.adds == ADDS_PER_CART) {
        cart = newCart(shopper, ++generation);
      }
      String sku = skus.get(cart.adds++);
      add(shopper, cart, sku);
      try {
        Thread.sleep(PACE.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private CartRun newCart(int shopper, int generation) {
    String user =
        name
            + "-"
            + shopper
            + "-c"
            + generation
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    CartRun cart = new CartRun(user, tokens.apply(user));
    synchronized (this) {
      carts.add(cart);
    }
    return cart;
  }

  private void add(int shopper, CartRun cart, String sku) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl + "/v1/cart/items"))
            .timeout(Duration.ofSeconds(15))
            .header("Authorization", "Bearer " + cart.token)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", "wl-" + UUID.randomUUID())
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    new JsonObject().put("sku", sku).put("quantity", 1).encode()))
            .build();
    String sentIn = phase;
    long sentAt = System.nanoTime();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      // A refused or cut connection: the gateway was killed, or was busy past the timeout.
      count(sentIn, "io:" + e.getClass().getSimpleName());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    int status = response.statusCode();
    if (status / 100 == 2) {
      cart.acknowledged.put(sku, new JsonObject(response.body()).getLong("version"));
      lastAcknowledgedSend.accumulateAndGet(shopper, sentAt, (a, b) -> a - b >= 0 ? a : b);
      count(sentIn, OK);
    } else if (status == 503) {
      // The contract promises a Retry-After with every 503; one without it is counted apart.
      count(
          sentIn,
          response.headers().firstValue("Retry-After").isPresent()
              ? UNAVAILABLE
              : "503-without-Retry-After");
    } else {
      count(sentIn, status + ":" + code(response.body()));
    }
  }

  private static String code(String body) {
    try {
      return new JsonObject(body).getString("code", "?");
    } catch (RuntimeException notJson) {
      return "?";
    }
  }

  private void count(String phase, String outcome) {
    outcomes
        .computeIfAbsent(phase, p -> new ConcurrentHashMap<>())
        .computeIfAbsent(outcome, o -> new LongAdder())
        .increment();
  }

  private Map<String, Long> counts(String phase) {
    Map<String, Long> counts = new TreeMap<>();
    outcomes.getOrDefault(phase, Map.of()).forEach((k, v) -> counts.put(k, v.sum()));
    return counts;
  }

  private long total(String outcome) {
    return outcomes.values().stream()
        .mapToLong(m -> m.containsKey(outcome) ? m.get(outcome).sum() : 0)
        .sum();
  }

  private static long sum(Map<String, LongAdder> counts) {
    return counts.values().stream().mapToLong(LongAdder::sum).sum();
  }
}
