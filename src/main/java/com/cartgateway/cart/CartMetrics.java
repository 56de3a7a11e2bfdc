package com.cartgateway.cart;

import com.cartgateway.commerce.CartLine;
import com.cartgateway.commerce.Money;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The business meters of carts, one set per process, each resolved once so that counting costs no
 * registry look-up:
 *
 * <ul>
 *   <li>{@code cart_reads_total{source}}: client reads of a cart by where it came from: {@code
 *       near_cache}, {@code redis}, or {@code dynamodb} (Redis lacked it; DynamoDB's copy served).
 *       A cart that exists nowhere (a shopper who never wrote one) is not counted: it is neither a
 *       hit nor a miss.
 *   <li>{@code cart_lines} and {@code cart_value{currency}}: histograms of the cart each change by
 *       the shopper leaves behind, when it has lines: changes are 1% of the traffic and the cart is
 *       in hand, where sampling reads would weigh carts by how often they are viewed. The value is
 *       the lines at their captured prices, in major units of the cart's currency.
 *   <li>{@code cart_recovered_total}: first changes after a reported abandonment, announced on
 *       {@code cart.recovered}.
 *   <li>{@code cart_checkouts_started_total}: carts that reached checkout, once per cart version in
 *       this process, so that a shopper who retries after {@code price_changed} or a 503 counts
 *       once; with {@code cart_checkouts_total{outcome="created"}}, the conversion.
 * </ul>
 */
public final class CartMetrics implements Shareable {
  private static final String LOCAL_MAP = CartMetrics.class.getName();
  private static final String PROCESS_KEY = "process";
  // A cart holds at most 100 lines by default (cart.maxLines).
  private static final double[] LINE_BUCKETS = {1, 2, 3, 5, 10, 20, 50, 100};
  private static final double[] VALUE_BUCKETS = {
    5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 100_000
  };

  private final MeterRegistry registry;
  private final Counter nearCacheReads;
  private final Counter redisReads;
  private final Counter dynamoDbReads;
  private final DistributionSummary lines;
  private final Map<String, DistributionSummary> values = new ConcurrentHashMap<>();
  private final Counter recovered;
  private final Counter checkoutsStarted;
  // cart id -> the version counted as started; a new version (the shopper changed the cart, or the
  // last checkout emptied it) counts again.
  private final Cache<String, Long> checkingOut =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofHours(1)).build();

  /**
   * Registers the meters (once a registry: a second instance shares them).
   *
   * @param registry the process's registry
   */
  public CartMetrics(MeterRegistry registry) {
    this.registry = registry;
    nearCacheReads = reads(registry, "near_cache");
    redisReads = reads(registry, "redis");
    dynamoDbReads = reads(registry, "dynamodb");
    lines =
        DistributionSummary.builder("cart_lines")
            .description("Lines of a cart after a change by the shopper that leaves it non-empty")
            .serviceLevelObjectives(LINE_BUCKETS)
            .register(registry);
    recovered =
        Counter.builder("cart_recovered")
            .description("Changes after a reported abandonment, announced on cart.recovered")
            .register(registry);
    checkoutsStarted =
        Counter.builder("cart_checkouts_started")
            .description("Carts that reached checkout, once per cart version")
            .register(registry);
    // Checkout counts its outcomes as they happen; this one shows from the start, for conversion.
    Counter.builder(Checkout.OUTCOMES)
        .description(Checkout.OUTCOMES_DESCRIPTION)
        .tag("outcome", "created")
        .register(registry);
  }

  /** The process's instance, created on first use and kept with the Vert.x instance. */
  public static CartMetrics forProcess(Vertx vertx, MeterRegistry registry) {
    LocalMap<String, CartMetrics> map = vertx.sharedData().getLocalMap(LOCAL_MAP);
    return map.computeIfAbsent(PROCESS_KEY, key -> new CartMetrics(registry));
  }

  /** A client's read served from the process's near cache. */
  public void readFromNearCache() {
    nearCacheReads.increment();
  }

  /** A client's read of a cart Redis had. */
  public void readFromRedis() {
    redisReads.increment();
  }

  /** A client's read of a cart Redis lacked, served from DynamoDB's copy. */
  public void readFromDynamoDb() {
    dynamoDbReads.increment();
  }

  /** Records the cart a change by the shopper left behind. */
  void changed(Cart cart) {
    if (cart.lines().isEmpty() || cart.currency() == null) {
      return;
    }
    // A metric needs no exact cents, and a double cannot overflow.
    double minor = 0;
    for (CartLine line : cart.lines()) {
      minor += (double) line.unitPrice() * line.quantity();
    }
    lines.record(cart.lines().size());
    values
        .computeIfAbsent(cart.currency(), this::value)
        .record(minor / Math.pow(10, Money.minorDigits(cart.currency()).orElse(2)));
  }

  /** A recovery announced on {@code cart.recovered}. */
  void recovered() {
    recovered.increment();
  }

  /** A checkout that found the cart with lines; counted once per cart version. */
  void checkoutStarted(Cart cart) {
    Long counted = checkingOut.asMap().put(cart.owner().cartId(), cart.version());
    if (counted == null || counted != cart.version()) {
      checkoutsStarted.increment();
    }
  }

  private DistributionSummary value(String currency) {
    return DistributionSummary.builder("cart_value")
        .description(
            "Value of a cart (lines at their captured prices) after a change by the shopper, in"
                + " major units of its currency")
        .tag("currency", currency)
        .serviceLevelObjectives(VALUE_BUCKETS)
        .register(registry);
  }

  private static Counter reads(MeterRegistry registry, String source) {
    return Counter.builder("cart_reads")
        .description("Client reads of a cart by source: near_cache, redis, or dynamodb")
        .tag("source", source)
        .register(registry);
  }
}
