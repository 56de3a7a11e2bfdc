package com.cartgateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Session;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;

/**
 * A checkout rush on scarce stock: {@code scarceSkus} SKUs of {@code stock} units each, and every
 * shopper adds 1 unit of one of them and checks out. Sold-out answers (409 {@code out_of_stock} on
 * the add or at checkout) are expected outcomes. The units of every 201 are counted per SKU, and a
 * last step reads each SKU's counters and fails unless they agree with those answers: nothing was
 * oversold, and every hold was either sold or given back.
 *
 * <p>So that the counters are exact at the end, the scarce SKUs are new in every run (nothing an
 * earlier run left can be held or sold), and every shopper that may still hold a unit (its add was
 * not refused, and its checkout did not answer 201) empties its cart with {@code DELETE
 * /v1/cart}. A request without a definite answer (a timeout, a 5xx) is counted too: the sale or
 * hold it may have left is allowed for, so the last step never fails for a unit it cannot know of.
 */
final class CheckoutRush {

  static final String SCARCE_PREFIX = "LT-SCARCE-";

  /** The request whose checks guard the stock; the simulation asserts it never fails. */
  static final String VERIFY_GROUP = "verify";
  static final String VERIFY_REQUEST = "GET /v1/skus/{sku}";

  // Session attribute names.
  private static final String AUTH = "auth";
  private static final String SKU = "sku";
  private static final String SKU_INDEX = "skuIndex";
  private static final String KEY = "idempotencyKey";
  private static final String ADDED = "addStatus";
  private static final String CHECKED_OUT = "checkoutStatus";
  private static final String SOLD = "soldUnits";

  private final LoadTestConfig cfg;
  private final CartChains chains;
  /**
   * Names this run's scarce SKUs, and its checkouts' idempotency keys, which the gateway remembers
   * for 24 h: a rerun must not be answered with an earlier run's orders.
   */
  private final String runId = UUID.randomUUID().toString().substring(0, 8);

  private final AtomicInteger nextShopper = new AtomicInteger();
  /** Per SKU: units in 201 answers, checkouts and adds without a definite answer. */
  private final AtomicLongArray soldInAnswers;
  private final AtomicLongArray unansweredCheckouts;
  private final AtomicLongArray unansweredAdds;

  CheckoutRush(LoadTestConfig cfg, CartChains chains) {
    this.cfg = cfg;
    this.chains = chains;
    this.soldInAnswers = new AtomicLongArray(cfg.scarceSkus());
    this.unansweredCheckouts = new AtomicLongArray(cfg.scarceSkus());
    this.unansweredAdds = new AtomicLongArray(cfg.scarceSkus());
  }

  String scarceSkuId(int i) {
    return String.format("%s%s-%04d", SCARCE_PREFIX, runId, i + 1);
  }

  /** Creates this run's scarce SKUs, {@code stock} units each. */
  PopulationBuilder stockSetup() {
    String body = "{\"price\":\"19.99\",\"currency\":\"USD\",\"stock\":" + cfg.stock() + "}";
    return chains.catalogSetup("setup: scarce stock", cfg.scarceSkus(), this::scarceSkuId, body);
  }

  /** One shopper's rush: add 1 unit, check out, and give back what it may still hold. */
  ChainBuilder shopper() {
    Shoppers shoppers = chains.shoppers();
    return exec(
            s -> {
              int i = nextShopper.getAndIncrement() % shoppers.size();
              int k = i % cfg.scarceSkus();
              return s.set(AUTH, shoppers.authorization(i))
                  .set(SKU_INDEX, k)
                  .set(SKU, scarceSkuId(k))
                  .set(KEY, "rush-" + runId + "-" + shoppers.id(i))
                  .set(ADDED, -1)
                  .set(CHECKED_OUT, -1);
            })
        .exec(
            http("rush POST /v1/cart/items")
                .post("/v1/cart/items")
                .header("Authorization", "#{" + AUTH + "}")
                .header("Content-Type", "application/json")
                .body(StringBody("{\"sku\":\"#{" + SKU + "}\",\"quantity\":1}"))
                .check(status().in(200, 409).saveAs(ADDED))
                .checkIf((response, s) -> response.status().code() == 409)
                .then(jsonPath("$.code").is("out_of_stock")))
        .exec(this::countUnansweredAdd)
        .doIf(s -> s.getInt(ADDED) == 200)
        .then(
            exec(http("rush POST /v1/cart/checkout")
                    .post("/v1/cart/checkout")
                    .header("Authorization", "#{" + AUTH + "}")
                    .header("Idempotency-Key", "#{" + KEY + "}")
                    .check(status().in(201, 409).saveAs(CHECKED_OUT))
                    .checkIf((response, s) -> response.status().code() == 201)
                    .then(
                        jsonPath("$.items[*].sku").findAll().is(s -> List.of(s.getString(SKU))),
                        jsonPath("$.items[0].quantity").ofInt().saveAs(SOLD))
                    .checkIf((response, s) -> response.status().code() == 409)
                    .then(jsonPath("$.code").is("out_of_stock")))
                .exec(this::countCheckout))
        .doIf(s -> s.getInt(ADDED) != 409 && !s.contains(SOLD))
        .then(
            exec(
                http("rush DELETE /v1/cart")
                    .delete("/v1/cart")
                    .header("Authorization", "#{" + AUTH + "}")
                    .check(status().is(200))));
  }

  private Session countUnansweredAdd(Session s) {
    int added = s.getInt(ADDED);
    if (added != 200 && added != 409) {
      unansweredAdds.incrementAndGet(s.getInt(SKU_INDEX));
    }
    return s;
  }

  private Session countCheckout(Session s) {
    int k = s.getInt(SKU_INDEX);
    if (s.contains(SOLD)) {
      soldInAnswers.addAndGet(k, s.getInt(SOLD));
    } else if (s.getInt(CHECKED_OUT) != 409) {
      // No 201 with its units, and no 409 (which never sells): the sale may have happened.
      unansweredCheckouts.incrementAndGet(k);
    }
    return s;
  }

  /**
   * Reads each scarce SKU once the rush is over. With C the units in its 201 answers, U its
   * checkouts and A its adds without a definite answer (0 and 0 in a clean run): C <= stock and
   * sold <= stock (nothing oversold), C <= sold <= C + U (the gateway counted the sales it
   * answered), reserved <= A + U (every hold sold or given back), available >= 0, and available +
   * reserved + sold = stock. Any miss fails the request.
   */
  PopulationBuilder verification() {
    long stock = cfg.stock();
    Function<Session, Long> inAnswers = s -> soldInAnswers.get(index(s));
    Function<Session, Long> mayBeSold = s -> inAnswers.apply(s) + unansweredCheckouts.get(index(s));
    Function<Session, Long> mayBeHeld =
        s -> unansweredAdds.get(index(s)) + unansweredCheckouts.get(index(s));
    ChainBuilder chain =
        repeat(cfg.scarceSkus(), SKU_INDEX)
            .on(
                exec(s -> s.set(SKU, scarceSkuId(s.getInt(SKU_INDEX))))
                    .exec(
                        http(VERIFY_REQUEST)
                            .get("/v1/skus/#{" + SKU + "}")
                            .check(
                                status().is(200),
                                jsonPath("$.stock").ofLong().is(stock).name("stock as set"),
                                jsonPath("$.stock")
                                    .ofLong()
                                    .gte(inAnswers)
                                    .name("not oversold: units in 201 answers <= stock"),
                                jsonPath("$.sold")
                                    .ofLong()
                                    .lte(stock)
                                    .name("not oversold: sold <= stock"),
                                jsonPath("$.sold")
                                    .ofLong()
                                    .gte(inAnswers)
                                    .name("sold >= units in 201 answers"),
                                jsonPath("$.sold")
                                    .ofLong()
                                    .lte(mayBeSold)
                                    .name("sold <= units in 201 answers + unanswered checkouts"),
                                jsonPath("$.reserved")
                                    .ofLong()
                                    .lte(mayBeHeld)
                                    .name("every hold sold or given back"),
                                jsonPath("$.available").ofLong().gte(0L).name("available >= 0"),
                                jsonPath("$")
                                    .ofMap()
                                    .transform(CheckoutRush::counted)
                                    .is(stock)
                                    .name("available + reserved + sold = stock"))));
    return scenario("verify: stock")
        .exec(group(VERIFY_GROUP).on(chain))
        .injectOpen(atOnceUsers(1));
  }

  private static int index(Session s) {
    return s.getInt(SKU_INDEX);
  }

  private static long counted(Map<String, Object> counters) {
    return ((Number) counters.get("available")).longValue()
        + ((Number) counters.get("reserved")).longValue()
        + ((Number) counters.get("sold")).longValue();
  }

  /** One line per SKU: what the answers said. */
  String summary() {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < cfg.scarceSkus(); k++) {
      b.append(
          String.format(
              Locale.ROOT,
              "[loadtest] %s: stock %d, units in 201 answers %d, checkouts without answer %d,"
                  + " adds without answer %d%n",
              scarceSkuId(k),
              cfg.stock(),
              soldInAnswers.get(k),
              unansweredCheckouts.get(k),
              unansweredAdds.get(k)));
    }
    return b.toString();
  }
}
