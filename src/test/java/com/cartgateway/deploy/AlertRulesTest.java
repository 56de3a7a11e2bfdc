package com.cartgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Runs Prometheus's own checker on the alert rules: {@code promtool} from the Debian package {@code
 * prometheus}, which {@code .ci/run} installs. A missing promtool fails the build: it is never a
 * reason to skip.
 */
@DisplayName("the Prometheus alert rules in deploy/prometheus")
class AlertRulesTest {
  private static final Map<String, String> REQUIRED =
      Map.of(
          "CartGatewayLatencyP99High", "5m",
          "CartGatewayReadHitRatioLow", "10m",
          "CartGatewayWriteBehindLagging", "5m",
          "CartGatewayErrorRateHigh", "2m",
          "CartGatewayCircuitOpen", "1m");

  @Test
  @DisplayName("pass promtool check rules")
  void check() throws Exception {
    promtool("check", "rules", DeployFiles.RULES.toString());
  }

  @Test
  @DisplayName("pass their unit tests (promtool test rules deploy/prometheus/*-test.yml)")
  void unitTests() throws Exception {
    List<Path> tests = DeployFiles.ruleTests();
    assertThat(tests).isNotEmpty();
    List<String> args = new ArrayList<>(List.of("test", "rules"));
    tests.forEach(t -> args.add(t.toString()));
    promtool(args.toArray(String[]::new));
  }

  @Test
  @DisplayName("alert on p99, hit ratio, write-behind lag, errors and open circuits, for as long")
  void requiredAlerts() {
    Map<String, String> alerts =
        DeployFiles.rules().stream()
            .filter(rule -> rule.containsKey("alert"))
            .collect(
                Collectors.toMap(
                    rule -> (String) rule.get("alert"), rule -> String.valueOf(rule.get("for"))));
    assertThat(alerts).containsAllEntriesOf(REQUIRED);
  }

  @Test
  @DisplayName("each alert has a unit test where it fires and one where it stays silent")
  @SuppressWarnings("unchecked")
  void everyAlertFiresAndStaysSilentInATest() {
    Set<String> fired = new HashSet<>();
    Set<String> silent = new HashSet<>();
    for (Path file : DeployFiles.ruleTests()) {
      for (Map<String, Object> test :
          (List<Map<String, Object>>) DeployFiles.yaml(file).get("tests")) {
        for (Map<String, Object> check :
            (List<Map<String, Object>>) test.getOrDefault("alert_rule_test", List.of())) {
          List<?> expected = (List<?>) check.get("exp_alerts");
          String alert = (String) check.get("alertname");
          (expected == null || expected.isEmpty() ? silent : fired).add(alert);
        }
      }
    }
    Set<String> alerts =
        DeployFiles.rules().stream()
            .filter(rule -> rule.containsKey("alert"))
            .map(rule -> (String) rule.get("alert"))
            .collect(Collectors.toSet());
    assertThat(fired).as("alerts some test fires").containsAll(alerts);
    assertThat(silent).as("alerts some test expects silent").containsAll(alerts);
  }

  private static void promtool(String... args) throws IOException, InterruptedException {
    Path promtool = onPath("promtool");
    if (promtool == null) {
      fail(
          "promtool is not on the PATH: install the Debian package prometheus"
              + " (apt-get install -y prometheus; .ci/run does it)");
    }
    List<String> command = new ArrayList<>(List.of(promtool.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail(String.join(" ", command) + " did not finish within 60 s:\n" + output);
    }
    assertThat(process.exitValue())
        .as("%s answered:%n%s", String.join(" ", command), output)
        .isZero();
  }

  private static Path onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
