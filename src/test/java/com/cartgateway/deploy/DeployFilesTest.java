package com.cartgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the metric names of a PromQL expression")
class DeployFilesTest {
  @Test
  @DisplayName("are the selected series, not functions, labels, ranges, keywords or numbers")
  void metricNames() {
    assertThat(
            DeployFiles.metricNames(
                "histogram_quantile(0.99, sum by (le, route) (rate(http_server_requests_seconds_bucket"
                    + "{route!~\"/health/.*\", code=~\"5..\"}[$__rate_interval]))) > 0.5"))
        .containsExactly("http_server_requests_seconds_bucket");
    assertThat(
            DeployFiles.metricNames(
                "sum(increase(cart_checkouts_total{outcome=\"created\"}[1h])) /"
                    + " sum(increase(cart_checkouts_started_total[1h])) > 1e3"))
        .containsExactly("cart_checkouts_started_total", "cart_checkouts_total");
    assertThat(DeployFiles.metricNames("max by (circuit) (cart_circuit_state) == bool 2"))
        .containsExactly("cart_circuit_state");
    assertThat(DeployFiles.metricNames("a_total and on (instance) b unless c offset 5m"))
        .containsExactly("a_total", "b", "c");
  }
}
