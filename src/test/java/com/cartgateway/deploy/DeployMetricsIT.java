package com.cartgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.support.Gateway;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("every metric the dashboard and the alert rules use")
class DeployMetricsIT {
  /** Series that exist only once a cart with a currency has changed: the currency is a label. */
  private static final Set<String> NEED_A_CART = Set.of("cart_value_bucket");

  private static final Duration SETTLE = Duration.ofSeconds(30);

  private static Gateway gateway;

  @BeforeAll
  static void start() {
    gateway = Gateway.start(Map.of("CART_ROLES", "all"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  @DisplayName(
      "is on /metrics of a fresh gateway running every role, before any cart traffic, and the"
          + " cart value once a cart has changed")
  void isExposed() {
    Set<String> used = new TreeSet<>();
    DeployFiles.dashboardQueries().forEach(q -> used.addAll(DeployFiles.metricNames(q)));
    DeployFiles.ruleQueries().forEach(q -> used.addAll(DeployFiles.metricNames(q)));
    assertThat(used).contains("http_server_requests_seconds_bucket", "cart_reads_total");

    // Meters register as the roles start, some of them once a first background read is back
    // (the worker group's lag): wait for them rather than for a time.
    Set<String> fromStart = new TreeSet<>(used);
    fromStart.removeAll(NEED_A_CART);
    Set<String> missingAtStart = missingAfterWaiting(fromStart);

    String sku = Gateway.unique("METRICS");
    gateway.putSku(sku, "12.50", "USD", 100);
    assertThat(gateway.add(Gateway.unique("metrics"), sku, 2).statusCode()).isEqualTo(200);
    Set<String> missing = missingAfterWaiting(used);
    boolean halfSecondBucket =
        gateway
            .send(gateway.request("/metrics").GET().build())
            .body()
            .lines()
            .anyMatch(
                line ->
                    line.startsWith("http_server_requests_seconds_bucket{")
                        && line.contains("le=\"0.5\""));

    SoftAssertions.assertSoftly(
        soft -> {
          soft.assertThat(missingAtStart)
              .as(
                  "metrics used by deploy/grafana and deploy/prometheus but missing from /metrics"
                      + " of a fresh gateway")
              .isEmpty();
          soft.assertThat(missing)
              .as("metrics used by deploy/ but missing from /metrics after a cart changed")
              .isEmpty();
          soft.assertThat(halfSecondBucket)
              .as("http_server_requests_seconds has a bucket at the p99 alert's 500 ms")
              .isTrue();
        });
  }

  /** The names not exposed yet once they all are, or once {@link #SETTLE} has passed. */
  private static Set<String> missingAfterWaiting(Set<String> names) {
    Instant deadline = Instant.now().plus(SETTLE);
    while (true) {
      Set<String> missing = new TreeSet<>(names);
      missing.removeAll(exposed());
      if (missing.isEmpty() || Instant.now().isAfter(deadline)) {
        return missing;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** The series names of one scrape. */
  private static Set<String> exposed() {
    HttpResponse<String> scrape = gateway.send(gateway.request("/metrics").GET().build());
    assertThat(scrape.statusCode()).isEqualTo(200);
    return scrape
        .body()
        .lines()
        .filter(line -> !line.isBlank() && !line.startsWith("#"))
        .map(line -> line.split("[{ ]", 2)[0])
        .collect(Collectors.toSet());
  }
}
