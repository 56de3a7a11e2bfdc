package com.cartgateway.dev;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Redis as a native {@code redis-server} process, with keyspace notifications for expired keys
 * ({@code Ex}) on. In memory it keeps nothing on disk; with a data folder it keeps an append-only
 * file there, fsynced every second, so that a restart finds the data again.
 *
 * <p>The server runs under a small {@code sh} wrapper that kills it when the wrapper's stdin, a
 * pipe from this JVM, reaches end-of-file: the native server has no {@link ParentWatchdog}.
 */
final class RedisServerProcess extends ManagedService {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

  /**
   * Runs {@code "$@"} in the background and records its pid; a second background shell reads fd 3
   * (our stdin) to end-of-file and then sends SIGTERM to the server. SIGTERM to the wrapper is
   * passed on too; the wrapper exits once the server has, with its exit status.
   */
  private static final String WRAPPER =
      String.join(
          "\n",
          "pidfile=$1; shift",
          "exec 3<&0",
          "\"$@\" </dev/null 3<&- &",
          "server=$!",
          "echo \"$server\" > \"$pidfile\"",
          "trap 'kill -TERM \"$server\" 2>/dev/null' TERM INT HUP",
          "( while read -r _; do :; done <&3; kill -TERM \"$server\" 2>/dev/null ) &",
          "watcher=$!",
          "exec 3<&-",
          "status=0",
          "while :; do",
          "  wait \"$server\"; status=$?",
          "  kill -0 \"$server\" 2>/dev/null || break",
          "done",
          "kill \"$watcher\" 2>/dev/null",
          "exit \"$status\"");

  /** Server binaries inside the embedded-redis jar, by {@code os.name} and {@code os.arch}. */
  private static final Map<String, String> BINARIES_IN_JAR =
      Map.of(
          "linux/amd64", "redis-server-6.2.6-v5-linux-amd64",
          "linux/x86_64", "redis-server-6.2.6-v5-linux-amd64",
          "linux/aarch64", "redis-server-6.2.7-linux-arm64",
          "mac os x/x86_64", "redis-server-6.2.6-v5-darwin-amd64",
          "mac os x/aarch64", "redis-server-6.2.6-v5-darwin-arm64");

  private final Path binary;
  private final boolean persistent;
  private final boolean clusterNode;

  /**
   * A server, named {@code name}; a cluster node keeps its view of the cluster in {@code
   * nodes.conf} in its folder and notices a failed peer within 2 seconds.
   */
  RedisServerProcess(
      String name, Path binary, int port, Path folder, boolean persistent, boolean clusterNode) {
    super(name, port, folder);
    this.binary = binary;
    this.persistent = persistent;
    this.clusterNode = clusterNode;
  }

  /**
   * The server binary: the one in the embedded-redis jar (Redis 6.2, the version the gateway
   * targets) copied into {@code binFolder} and made executable, or else {@code redis-server} from
   * the PATH.
   */
  static Path locateBinary(Path binFolder) throws IOException {
    String platform =
        System.getProperty("os.name").toLowerCase(Locale.ROOT)
            + "/"
            + System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String resource = BINARIES_IN_JAR.get(platform);
    if (resource != null) {
      Optional<Path> extracted = extract(resource, binFolder);
      if (extracted.isPresent()) {
        return extracted.get();
      }
    }
    return onPath("redis-server")
        .orElseThrow(
            () ->
                new DevServicesException(
                    "no Redis server for "
                        + platform
                        + ": neither the resource "
                        + resource
                        + " (com.github.codemonstur:embedded-redis, test scope) on the"
                        + " classpath nor redis-server on the PATH"));
  }

  private static Optional<Path> extract(String resource, Path binFolder) throws IOException {
    ClassLoader loader = RedisServerProcess.class.getClassLoader();
    InputStream found = loader.getResourceAsStream(resource);
    if (found == null && Thread.currentThread().getContextClassLoader() != null) {
      found = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource);
    }
    if (found == null) {
      return Optional.empty();
    }
    Files.createDirectories(binFolder);
    Path target = binFolder.resolve("redis-server");
    try (InputStream in = found) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
    return Optional.of(target);
  }

  private static Optional<Path> onPath(String executable) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, executable);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  @Override
  ChildProcess launch() throws IOException {
    Files.createDirectories(folder());
    Files.deleteIfExists(pidFile());
    List<String> command =
        new ArrayList<>(
            List.of(
                "/bin/sh",
                "-c",
                WRAPPER,
                "redis-wrapper",
                pidFile().toString(),
                binary.toString(),
                "--bind",
                HOST,
                "--port",
                Integer.toString(port()),
                "--dir",
                folder().toString(),
                "--notify-keyspace-events",
                "Ex",
                "--daemonize",
                "no"));
    if (clusterNode) {
      command.addAll(
          List.of(
              "--cluster-enabled",
              "yes",
              "--cluster-config-file",
              "nodes.conf",
              "--cluster-node-timeout",
              "2000"));
    }
    if (persistent) {
      command.addAll(List.of("--appendonly", "yes", "--appendfsync", "everysec"));
    } else {
      command.addAll(List.of("--save", "", "--appendonly", "no"));
    }
    return ChildProcess.spawn(command, folder(), Map.of(), logFile());
  }

  @Override
  Duration startTimeout() {
    return START_TIMEOUT;
  }

  @Override
  void awaitReady(ChildProcess launched, Instant deadline) {
    poll(launched, deadline, "to PING", this::answersPing);
  }

  /** PING over a fresh connection; "-LOADING" while an append-only file is replayed is not yet. */
  private boolean answersPing() throws IOException {
    return "PONG".equals(call("PING"));
  }

  /** One command to this server over a fresh connection; an error reply throws. */
  String call(String... args) throws IOException {
    return RespSocket.call(HOST, port(), List.of(args));
  }

  @Override
  Optional<ProcessHandle> serverHandle(ChildProcess launched) {
    try {
      long pid = Long.parseLong(Files.readString(pidFile()).trim());
      return ProcessHandle.of(pid);
    } catch (IOException | NumberFormatException e) {
      // The wrapper has not written the pid yet.
      return Optional.empty();
    }
  }

  private Path pidFile() {
    return folder().resolve("redis-server.pid");
  }
}
