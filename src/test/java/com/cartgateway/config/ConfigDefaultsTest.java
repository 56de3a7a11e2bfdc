package com.cartgateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The defaults are written once, in {@link ConfigLoader}; {@code conf/application.json} and the
 * settings table of {@code docs/configuration.md} repeat them, and this test keeps them equal.
 */
@DisplayName("conf/application.json and docs/configuration.md give ConfigLoader's defaults")
class ConfigDefaultsTest {
  private static final Path FILE = Path.of("conf", "application.json");
  private static final Path TABLE = Path.of("docs", "configuration.md");

  /** A row of the settings table: | `json.path` | `CART_VARIABLE` or nothing | `default` | ... */
  private static final Pattern ROW =
      Pattern.compile("^\\| `([A-Za-z.]+)` \\| (?:`(CART_[A-Z_]+)`)? *\\| (`([^`]*)`|none) \\|");

  @Test
  @DisplayName("the file lists every setting ConfigLoader reads, each at its default, and no other")
  void fileListsEveryDefault() throws IOException {
    JsonObject file = new JsonObject(Files.readString(FILE, StandardCharsets.UTF_8));
    assertThat(flatten(file)).containsExactlyInAnyOrderEntriesOf(flatten(ConfigLoader.defaults()));
  }

  @Test
  @DisplayName("loading the file changes nothing against loading no file at all")
  void fileChangesNothing() throws IOException {
    JsonObject file = new JsonObject(Files.readString(FILE, StandardCharsets.UTF_8));
    Map<String, String> secrets =
        Map.of(
            "CART_JWT_SECRET", "0123456789abcdef0123456789abcdef",
            "CART_ADMIN_TOKEN", "admin-token-0123456789");
    assertThat(ConfigLoader.fromLayers(file, new Properties(), secrets))
        .isEqualTo(ConfigLoader.fromLayers(new JsonObject(), new Properties(), secrets));
  }

  @Test
  @DisplayName(
      "the settings table names every setting with its environment variable and its default")
  void tableNamesEverySetting() throws IOException {
    Map<String, String> variables = new TreeMap<>();
    Map<String, String> defaults = new TreeMap<>();
    for (String line : Files.readAllLines(TABLE, StandardCharsets.UTF_8)) {
      Matcher row = ROW.matcher(line);
      if (row.find()) {
        if (row.group(2) != null) {
          variables.put(row.group(2), row.group(1));
        }
        defaults.put(row.group(1), row.group(4) == null ? "none" : row.group(4));
      }
    }
    Map<String, String> expected = new TreeMap<>();
    flatten(ConfigLoader.defaults())
        .forEach((path, value) -> expected.put(path, value == null ? "none" : value.toString()));
    assertThat(defaults).containsExactlyInAnyOrderEntriesOf(expected);
    assertThat(variables).containsExactlyInAnyOrderEntriesOf(ConfigLoader.OVERRIDES);
  }

  /** Each leaf of the document by its dotted path, as {@code CART_*} variables name them. */
  private static Map<String, Object> flatten(JsonObject document) {
    Map<String, Object> leaves = new TreeMap<>();
    flatten("", document, leaves);
    return leaves;
  }

  private static void flatten(String prefix, JsonObject node, Map<String, Object> leaves) {
    for (String key : node.fieldNames()) {
      Object value = node.getValue(key);
      if (value instanceof JsonObject child) {
        flatten(prefix + key + ".", child, leaves);
      } else {
        leaves.put(prefix + key, value);
      }
    }
  }
}
