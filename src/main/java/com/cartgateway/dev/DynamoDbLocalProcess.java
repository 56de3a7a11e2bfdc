package com.cartgateway.dev;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * DynamoDB Local in a child JVM, in memory or with its database files in a data folder. Its working
 * directory and {@code java.io.tmpdir} are a temporary folder: it extracts its SQLite native
 * library there.
 *
 * <p>It runs with {@code -sharedDb}: one database whatever the access key and region, so that the
 * gateway, tests and any CLI see the same tables. It binds every interface, not only loopback (it
 * has no option for an address); clients use {@link #HOST}.
 */
final class DynamoDbLocalProcess extends ManagedService {
  // A bound on a hung start: beside three brokers on two busy cores it took 19 s.
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final JavaLauncher java;
  private final Optional<Path> dbPath;
  private final Path workDir;

  /**
   * @param dbPath where the database files go, or empty to keep everything in memory
   * @param workDir the working directory and temporary folder, deleted with the services
   */
  DynamoDbLocalProcess(
      JavaLauncher java, int port, Path folder, Optional<Path> dbPath, Path workDir) {
    super("dynamodb", port, folder);
    this.java = java;
    this.dbPath = dbPath;
    this.workDir = workDir;
  }

  /** {@code http://127.0.0.1:port}, for the SDK's endpoint override. */
  String endpoint() {
    return "http://" + HOST + ":" + port();
  }

  @Override
  ChildProcess launch() throws IOException {
    Files.createDirectories(folder());
    Files.createDirectories(workDir);
    List<String> args =
        new ArrayList<>(
            List.of("-port", Integer.toString(port()), "-disableTelemetry", "-sharedDb"));
    if (dbPath.isPresent()) {
      Files.createDirectories(dbPath.get());
      args.addAll(List.of("-dbPath", dbPath.get().toString()));
    } else {
      args.add("-inMemory");
    }
    return ChildProcess.spawn(
        java.command(
            jvmOptions(),
            workDir,
            "com.amazonaws.services.dynamodbv2.local.main.ServerRunner",
            args),
        workDir,
        Map.of("DDB_LOCAL_TELEMETRY", "0"),
        logFile());
  }

  /**
   * The server classes refer to Pinpoint (telemetry) exception types in catch clauses, and the pom
   * leaves the Pinpoint SDK out (it is not published at the SDK version the BOM pins). The verifier
   * loads those types and fails the server's classes; with telemetry off they are never needed at
   * run time, so when they are missing this child JVM skips verification of application classes.
   */
  private static List<String> jvmOptions() {
    ClassLoader loader = DynamoDbLocalProcess.class.getClassLoader();
    String pinpoint = "software/amazon/awssdk/services/pinpoint/model/PinpointException.class";
    boolean pinpointMissing =
        loader.getResource(pinpoint) == null
            && (Thread.currentThread().getContextClassLoader() == null
                || Thread.currentThread().getContextClassLoader().getResource(pinpoint) == null);
    return pinpointMissing
        ? List.of("-Xmx256m", "-XX:+UnlockDiagnosticVMOptions", "-XX:-BytecodeVerificationRemote")
        : List.of("-Xmx256m");
  }

  @Override
  Duration startTimeout() {
    return START_TIMEOUT;
  }

  @Override
  void awaitReady(ChildProcess launched, Instant deadline) {
    poll(launched, deadline, "over HTTP", this::answersHttp);
  }

  /** Any HTTP status will do (an unsigned GET gets a 400): the server is up. */
  private boolean answersHttp() throws IOException {
    HttpURLConnection connection =
        (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
    try {
      connection.setConnectTimeout(500);
      connection.setReadTimeout(2_000);
      return connection.getResponseCode() > 0;
    } finally {
      connection.disconnect();
    }
  }
}
