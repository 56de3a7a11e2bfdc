package com.cartgateway.dev;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One spawned OS process whose output goes to a log file. Its standard input stays an open pipe
 * that nobody writes to: the child's watchdog reads end-of-file from it only when this JVM is gone.
 */
final class ChildProcess {
  private static final int LOG_TAIL_BYTES = 32 * 1024;
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  private final Process process;
  private final Path logFile;
  private final long logOffset;

  private ChildProcess(Process process, Path logFile, long logOffset) {
    this.process = process;
    this.logFile = logFile;
    this.logOffset = logOffset;
  }

  /**
   * Starts {@code command} in {@code workDir}, appending its stdout and stderr to {@code logFile},
   * so that the log keeps the history of every restart.
   */
  static ChildProcess spawn(
      List<String> command, Path workDir, Map<String, String> environment, Path logFile)
      throws IOException {
    Files.createDirectories(workDir);
    Files.createDirectories(logFile.getParent());
    long offset = Files.exists(logFile) ? Files.size(logFile) : 0;
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .redirectInput(ProcessBuilder.Redirect.PIPE);
    builder.environment().putAll(environment);
    return new ChildProcess(startRetryingBusyText(builder), logFile, offset);
  }

  /**
   * Starts the builder, retrying "Text file busy": a binary just written (the extracted Redis
   * server) cannot be executed while a process forked at the same moment by another thread still
   * holds the descriptor it was written through.
   */
  private static Process startRetryingBusyText(ProcessBuilder builder) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return builder.start();
      } catch (IOException e) {
        String message = String.valueOf(e.getMessage());
        if (attempt >= 20 || !message.contains("error=26")) {
          throw e;
        }
        sleep(Duration.ofMillis(50));
      }
    }
  }

  long pid() {
    return process.pid();
  }

  ProcessHandle handle() {
    return process.toHandle();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code, or -1 while the process runs. */
  int exitValue() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  Path logFile() {
    return logFile;
  }

  /** Waits for the process to exit by itself; true if it did within the timeout. */
  boolean awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  /**
   * SIGTERM, so that the service shuts down cleanly; SIGKILL to whatever is left after {@code
   * grace}. Descendants are listed first because a dead process's children can no longer be found.
   */
  void terminate(Duration grace) {
    List<ProcessHandle> tree = process.descendants().toList();
    // On Unix destroy() is SIGTERM; it also closes our end of stdin, which the watchdog sees.
    process.destroy();
    long deadline = System.nanoTime() + grace.toNanos();
    if (!awaitExit(grace)) {
      killAll(tree);
      return;
    }
    for (ProcessHandle descendant : tree) {
      if (descendant.isAlive()) {
        descendant.destroy();
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        if (!awaitExit(descendant, left)) {
          descendant.destroyForcibly();
          awaitExit(descendant, KILL_WAIT);
        }
      }
    }
  }

  /** SIGKILL to the process and all its descendants, as in a crash; returns once they are gone. */
  void kill() {
    killAll(process.descendants().toList());
  }

  private void killAll(List<ProcessHandle> descendants) {
    process.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    awaitExit(KILL_WAIT);
    descendants.forEach(descendant -> awaitExit(descendant, KILL_WAIT));
  }

  static boolean awaitExit(ProcessHandle handle, Duration timeout) {
    try {
      handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return !handle.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !handle.isAlive();
    }
  }

  /** The last lines this launch wrote to the log, for error messages. */
  String logTail(int maxLines) {
    try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
      long end = file.length();
      long start = Math.max(logOffset, end - LOG_TAIL_BYTES);
      if (start >= end) {
        return "(the log is empty)";
      }
      byte[] bytes = new byte[(int) (end - start)];
      file.seek(start);
      file.readFully(bytes);
      List<String> lines = new String(bytes, UTF_8).lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - maxLines), lines.size()));
    } catch (IOException e) {
      return "(the log could not be read: " + e + ")";
    }
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DevServicesException("interrupted", e);
    }
  }
}
