package com.cartgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.fail;

import com.cartgateway.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The container and cluster files of {@code deploy/}, checked without a Docker engine or a cluster:
 * {@code deploy/validate/validate.mjs} validates the Kubernetes objects against the API's schemas
 * (kubernetes-models), the compose file against the Compose specification (dclint) and the
 * operational rules of all three (probes, limits, non-root, grace periods, disruption budgets, the
 * autoscaler). Its npm packages are installed by {@code .ci/run} ({@code npm ci --prefix
 * deploy/validate}); without them this test fails, it never skips.
 */
@DisplayName("the Dockerfile, compose file and Kubernetes manifests in deploy/")
class ContainerFilesTest {
  private static final Path VALIDATE = Path.of("deploy/validate");
  private static final Path BROKEN = Path.of("src/test/resources/deploy-broken");
  private static final Pattern SETTING = Pattern.compile("\\bCART_[A-Z0-9_]+\\b");

  @Test
  @DisplayName("pass the schemas of Kubernetes and Compose and the gateway's deployment rules")
  void valid() throws Exception {
    Result result = validate(Path.of("deploy"));
    assertThat(result.exit()).as(result.output()).isZero();
  }

  @Test
  @DisplayName("are checked by a validator that reports each flaw planted in a broken copy")
  void theValidatorFindsFlaws() throws Exception {
    Result result = validate(BROKEN);
    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.output())
        .contains("lists missing.yaml, which is missing")
        .contains("schema: data/spec/replicas must be integer")
        .contains("terminationGracePeriodSeconds under")
        .contains("readinessProbe is not on a /health route")
        .contains("no memory in resources.limits")
        .contains("envFrom names Secret nowhere, not defined")
        .contains("no PodDisruptionBudget selects its pods")
        .contains("the HTTP role has no HorizontalPodAutoscaler on CPU")
        .contains("no Deployment runs the worker role")
        .contains("must NOT have additional properties")
        .contains("no dynamodb service")
        .contains("compose.yaml: no service runs the worker role")
        .contains("not multi-stage")
        .contains("the final stage is not a JRE image")
        .contains("the final stage runs as root")
        .contains("no HEALTHCHECK on a /health route");
  }

  @Test
  @DisplayName("name only settings the gateway has (docs/configuration.md)")
  void everySettingExists() throws IOException {
    String settings = Files.readString(Path.of("docs/configuration.md"));
    TreeSet<String> unknown = new TreeSet<>();
    for (Path file : deployFiles()) {
      Matcher names = SETTING.matcher(Files.readString(file));
      while (names.find()) {
        if (!settings.contains("`" + names.group() + "`")) {
          unknown.add(names.group() + " in " + file);
        }
      }
    }
    assertThat(unknown).isEmpty();
  }

  @Test
  @DisplayName("give each role a configuration the gateway accepts, once the Secret is filled")
  @SuppressWarnings("unchecked")
  void theConfigMapLoads() {
    Map<String, Object> configMap =
        new Yaml().load(readString(Path.of("deploy/k8s/configmap.yaml")));
    Map<String, String> env = new HashMap<>((Map<String, String>) configMap.get("data"));
    env.put("CART_JWT_SECRET", "k".repeat(32));
    env.put("CART_ADMIN_TOKEN", "a".repeat(16));
    for (String role : List.of("http", "worker", "timer")) {
      env.put("CART_ROLES", role);
      assertThatCode(() -> ConfigLoader.fromLayers(new JsonObject(), new Properties(), env))
          .as(role)
          .doesNotThrowAnyException();
    }
  }

  private static List<Path> deployFiles() throws IOException {
    try (Stream<Path> k8s = Files.list(Path.of("deploy/k8s"))) {
      return Stream.concat(
              Stream.of(Path.of("deploy/compose.yaml"), Path.of("deploy/Dockerfile")), k8s)
          .toList();
    }
  }

  private static String readString(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private record Result(int exit, String output) {}

  private static Result validate(Path folder) throws IOException, InterruptedException {
    if (!Files.isDirectory(VALIDATE.resolve("node_modules"))) {
      fail(
          "deploy/validate/node_modules is missing: run npm ci --prefix deploy/validate"
              + " (.ci/run does it; Node.js 20.19 or later)");
    }
    Process process =
        new ProcessBuilder("node", VALIDATE.resolve("validate.mjs").toString(), folder.toString())
            .redirectErrorStream(true)
            .start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("validate.mjs did not finish within 120 s:\n" + output);
    }
    return new Result(process.exitValue(), output);
  }
}
