package com.cartgateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.cartgateway.support.Gateway;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every Gatling simulation of {@code loadtest/} for a few seconds, the way its README says, in
 * a child Maven process against a real gateway: the simulations keep working as the gateway
 * changes.
 */
@DisplayName("load-test scenarios")
class LoadTestSmokeIT {
  private static final Path LOADTEST_POM = Path.of("loadtest", "pom.xml").toAbsolutePath();
  private static final Path LOGS = Path.of("target", "loadtest-smoke").toAbsolutePath();

  /** A run takes about 15 s; the first one on a fresh machine also downloads Gatling. */
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);

  private static final Pattern REPORT =
      Pattern.compile("please open the following file: (file:\\S+index\\.html)");

  /** Parameters of every run: 3 s measured, few shoppers and SKUs, quick setup. */
  private static final List<String> SMALL =
      List.of("-DdurationSeconds=3", "-Dusers=20", "-Dskus=10");

  private static Gateway gateway;

  @BeforeAll
  static void startGateway() {
    // The gateway's default limits, as a load tester's gateway has them: the runs must stay under
    // them (a 429 in a measured phase is a failure), which the rates below do by a wide margin.
    gateway = Gateway.start(Map.of("CART_RATE_LIMIT_READS", "100", "CART_RATE_LIMIT_WRITES", "20"));
  }

  @AfterAll
  static void stopGateway() {
    gateway.close();
  }

  static Stream<Arguments> simulations() {
    return Stream.of(
        arguments("CartReadSimulation", List.of("-Drate=20")),
        arguments("CartWriteSimulation", List.of("-Drate=10")),
        arguments("CartBrowseMixSimulation", List.of("-Drate=50")),
        arguments("CartAddBurstSimulation", List.of("-Drate=30")),
        // 3 new guests a second from one address, well under its 20 writes a second
        arguments("CartGuestMergeSimulation", List.of("-Drate=3")),
        // 60 shoppers for 2 x 10 units, arriving over 2 s
        arguments(
            "CartCheckoutRushSimulation",
            List.of("-Drate=30", "-Dusers=60", "-DscarceSkus=2", "-Dstock=10")),
        // p99Millis at the request timeout: a smoke run on a busy machine checks no latency
        arguments("CartSoakSimulation", List.of("-Drate=20", "-Dp99Millis=10000")));
  }

  @ParameterizedTest(name = "{0} runs against a gateway, passes its assertions, writes its report")
  @MethodSource("simulations")
  void runsCleanAndWritesReport(String simulation, List<String> parameters) throws Exception {
    // Maven from the PATH, as DevModeIT runs it: failsafe passes no maven.home to name the
    // running one.
    List<String> command =
        new ArrayList<>(List.of("mvn", "-B", "-ntp", "-f", LOADTEST_POM.toString()));
    command.add("gatling:test");
    command.add("-Dgatling.simulationClass=com.cartgateway.loadtest." + simulation);
    command.add("-DbaseUrl=" + gateway.url());
    command.add("-DjwtSecret=" + Gateway.JWT_SECRET);
    command.add("-DadminToken=" + Gateway.ADMIN_TOKEN);
    command.addAll(SMALL);
    command.addAll(parameters); // later -D values win
    String localRepository = System.getProperty("localRepository");
    if (localRepository != null) {
      // the repository this build resolves from, also when it is not ~/.m2
      command.add("-Dmaven.repo.local=" + localRepository);
    }

    Files.createDirectories(LOGS);
    Path log = LOGS.resolve(simulation + ".log");
    Process mvn =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
            .start();
    boolean finished = mvn.waitFor(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    if (!finished) {
      // the forked Gatling JVM first, so that nothing keeps sending load
      mvn.descendants().forEach(ProcessHandle::destroyForcibly);
      mvn.destroyForcibly();
      mvn.waitFor(30, TimeUnit.SECONDS);
    }
    String output = Files.readString(log);
    try {
      assertThat(finished).as("mvn finished within " + RUN_TIMEOUT).isTrue();
      assertThat(mvn.exitValue()).as("mvn's exit code").isZero();
      assertThat(output)
          .as("the parameters stay under the rate limits, and the rush sells out")
          .doesNotContain("[loadtest] WARNING");
      Matcher report = REPORT.matcher(output);
      assertThat(report.find()).as("Gatling announces its report").isTrue();
      assertThat(Path.of(URI.create(report.group(1)))).as("the HTML report").isNotEmptyFile();
    } catch (AssertionError e) {
      System.out.println(output);
      throw new AssertionError(e.getMessage() + "\n(mvn's output is above, and in " + log + ")", e);
    }
  }
}
