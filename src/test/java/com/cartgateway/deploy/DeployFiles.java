package com.cartgateway.deploy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/** The operations files under {@code deploy/}, and the metric names their queries use. */
final class DeployFiles {
  static final Path DASHBOARD = Path.of("deploy/grafana/cart-gateway-dashboard.json");
  static final Path RULES = Path.of("deploy/prometheus/cart-gateway-rules.yml");
  static final Path PROMETHEUS = Path.of("deploy/prometheus");

  private static final Pattern NAME = Pattern.compile("(?<![\\w.:$])[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "inf",
          "nan");

  private DeployFiles() {}

  /** The dashboard, parsed. */
  static JsonObject dashboard() {
    return new JsonObject(read(DASHBOARD));
  }

  /** Every panel of the dashboard, those inside rows included. */
  static List<JsonObject> panels() {
    List<JsonObject> all = new ArrayList<>();
    collect(dashboard().getJsonArray("panels"), all);
    return all;
  }

  /** The queries of the dashboard's panels. */
  static List<String> dashboardQueries() {
    List<String> queries = new ArrayList<>();
    for (JsonObject panel : panels()) {
      JsonArray targets = panel.getJsonArray("targets", new JsonArray());
      for (int i = 0; i < targets.size(); i++) {
        queries.add(targets.getJsonObject(i).getString("expr", ""));
      }
    }
    return queries;
  }

  /** The rules of the rule file, as YAML maps. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> rules() {
    Map<String, Object> file = new Yaml().load(read(RULES));
    List<Map<String, Object>> rules = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
      rules.addAll((List<Map<String, Object>>) group.get("rules"));
    }
    return rules;
  }

  /** The expressions of the alert rules. */
  static List<String> ruleQueries() {
    return rules().stream().map(rule -> String.valueOf(rule.get("expr"))).toList();
  }

  /** The rule unit test files ({@code deploy/prometheus/*-test.yml}). */
  static List<Path> ruleTests() {
    try (Stream<Path> files = Files.list(PROMETHEUS)) {
      return files.filter(f -> f.getFileName().toString().endsWith("-test.yml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A rule unit test file, parsed. */
  static Map<String, Object> yaml(Path file) {
    return new Yaml().load(read(file));
  }

  /**
   * The metric names a PromQL expression selects: what is left once strings, label matchers, ranges
   * and grouping clauses are taken out, minus functions (a name before a parenthesis) and keywords.
   */
  static Set<String> metricNames(String expr) {
    String bare =
        expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
            .replaceAll("'(\\\\.|[^'\\\\])*'", "''")
            .replaceAll("\\{[^}]*}", " ")
            .replaceAll("\\[[^]]*]", " ");
    bare = GROUPING.matcher(bare).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = NAME.matcher(bare);
    while (m.find()) {
      String name = m.group();
      boolean function = bare.substring(m.end()).stripLeading().startsWith("(");
      if (!function && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        names.add(name);
      }
    }
    return names;
  }

  private static void collect(JsonArray panels, List<JsonObject> into) {
    for (int i = 0; i < panels.size(); i++) {
      JsonObject panel = panels.getJsonObject(i);
      into.add(panel);
      collect(panel.getJsonArray("panels", new JsonArray()), into);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
