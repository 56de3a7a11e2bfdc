package com.cartgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the Grafana dashboard in deploy/grafana")
class DashboardTest {
  @Test
  @DisplayName("parses, and every panel but a row has a query that selects a metric")
  void everyPanelHasAQuery() {
    JsonObject dashboard = DeployFiles.dashboard();
    assertThat(dashboard.getString("uid")).isNotBlank();
    List<JsonObject> panels = DeployFiles.panels();
    assertThat(panels).isNotEmpty();
    for (JsonObject panel : panels) {
      if ("row".equals(panel.getString("type"))) {
        continue;
      }
      JsonArray targets = panel.getJsonArray("targets", new JsonArray());
      assertThat(targets).as("queries of panel '%s'", panel.getString("title")).isNotEmpty();
      for (int i = 0; i < targets.size(); i++) {
        String expr = targets.getJsonObject(i).getString("expr", "");
        assertThat(expr).as("a query of panel '%s'", panel.getString("title")).isNotBlank();
        assertThat(DeployFiles.metricNames(expr))
            .as("metrics of '%s' in panel '%s'", expr, panel.getString("title"))
            .isNotEmpty();
      }
    }
  }

  @Test
  @DisplayName(
      "shows latency by route, errors, hit ratio, write-behind lag, holds, abandonment, checkouts"
          + " and circuit states")
  void coversWhatOperatorsNeed() {
    Set<String> used = new TreeSet<>();
    DeployFiles.dashboardQueries().forEach(q -> used.addAll(DeployFiles.metricNames(q)));
    assertThat(used)
        .contains(
            "http_server_requests_seconds_bucket",
            "http_server_requests_seconds_count",
            "cart_reads_total",
            "cart_writebehind_lag_seconds",
            "cart_holds_placed_units_total",
            "cart_holds_lapsed_units_total",
            "cart_abandoned_total",
            "cart_recovered_total",
            "cart_checkouts_total",
            "cart_checkouts_started_total",
            "cart_active_carts",
            "cart_lines_bucket",
            "cart_value_bucket",
            "cart_circuit_state");
  }
}
