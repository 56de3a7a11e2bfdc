package com.cartgateway.dev;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backing service running as a child OS process on a fixed loopback port. Fault tests {@link
 * #stop()}, {@link #kill()} and {@link #start()} it on its own; a restart reuses the same port and
 * the same folder, so clients reconnect to the same address and, where the service keeps its data
 * on disk, find it again.
 *
 * <p>Thread-safe. {@link #start()} does not hold the lock while it waits for readiness, so a
 * concurrent {@link #stop()} (from a shutdown hook, say) is never held up by a slow start.
 */
public abstract class ManagedService {
  /** The loopback address every service is reached on. */
  public static final String HOST = "127.0.0.1";

  private static final System.Logger LOG = System.getLogger(ManagedService.class.getName());
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(50);
  private static final int LOG_TAIL_LINES = 60;

  private final String name;
  private final int port;
  private final Path folder;
  private final Object lock = new Object();
  private volatile ChildProcess process;
  private volatile Duration lastStartDuration = Duration.ZERO;
  private boolean retired;

  ManagedService(String name, int port, Path folder) {
    this.name = name;
    this.port = port;
    this.folder = folder;
  }

  /** A short name: {@code redis}, {@code kafka} or {@code dynamodb}. */
  public final String name() {
    return name;
  }

  /** The port clients connect to on {@link #HOST}; the same across restarts. */
  public final int port() {
    return port;
  }

  /** The folder holding this service's data (if it keeps any on disk) and its log. */
  public final Path folder() {
    return folder;
  }

  /** Where the service's stdout and stderr go, appended across restarts. */
  public final Path logFile() {
    return folder.resolve(name + ".log");
  }

  /** Whether the service's process is alive (it may still be starting). */
  public final boolean isRunning() {
    ChildProcess current = process;
    return current != null && current.isAlive();
  }

  /**
   * The server process itself (for Redis the {@code redis-server} process, not the shell that
   * watches it), or empty when stopped.
   */
  public final Optional<ProcessHandle> processHandle() {
    ChildProcess current = process;
    if (current == null || !current.isAlive()) {
      return Optional.empty();
    }
    return serverHandle(current).filter(ProcessHandle::isAlive);
  }

  /** The server process's pid; fails when the service is not running. */
  public final long pid() {
    return processHandle()
        .map(ProcessHandle::pid)
        .orElseThrow(() -> new IllegalStateException(name + " is not running"));
  }

  /** How long the last {@link #start()} took, from spawning the process to its first answer. */
  public final Duration lastStartDuration() {
    return lastStartDuration;
  }

  /**
   * Starts the service on its port and returns once it answers; does nothing when it already runs.
   *
   * @throws DevServicesException with the tail of the service's log if it does not come up in time
   */
  public final void start() {
    long started = System.nanoTime();
    ChildProcess launched;
    synchronized (lock) {
      if (retired) {
        // Its DevServices is closed: nothing would stop a process started now.
        throw new IllegalStateException(name + " belongs to closed dev services");
      }
      if (isRunning()) {
        return;
      }
      try {
        launched = launch();
      } catch (IOException e) {
        throw new DevServicesException(name + " could not be launched: " + e.getMessage(), e);
      }
      process = launched;
    }
    try {
      awaitReady(launched, Instant.now().plus(startTimeout()));
    } catch (RuntimeException e) {
      launched.kill();
      throw e;
    }
    lastStartDuration = Duration.ofNanos(System.nanoTime() - started);
    LOG.log(
        Level.INFO,
        "{0} ready on {1}:{2,number,#} in {3,number,#} ms (pid {4,number,#})",
        name,
        HOST,
        port,
        lastStartDuration.toMillis(),
        serverHandle(launched).map(ProcessHandle::pid).orElse(launched.pid()));
  }

  /**
   * Starts every service at once, a thread each (a broker of a cluster is ready only once a
   * majority of its peers run), and returns once all answer.
   *
   * @throws DevServicesException naming the first failure, the others suppressed in it
   */
  public static void startTogether(List<? extends ManagedService> services) {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService starter =
        Executors.newFixedThreadPool(
            services.size(),
            task -> {
              Thread thread = new Thread(task, "dev-services-start-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    try {
      List<Future<?>> starts = new ArrayList<>();
      for (ManagedService service : services) {
        starts.add(starter.submit(service::start));
      }
      DevServicesException failure = null;
      for (Future<?> start : starts) {
        try {
          start.get();
        } catch (ExecutionException e) {
          DevServicesException cause =
              e.getCause() instanceof DevServicesException dev
                  ? dev
                  : new DevServicesException(String.valueOf(e.getCause()), e.getCause());
          if (failure == null) {
            failure = cause;
          } else {
            failure.addSuppressed(cause);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new DevServicesException("interrupted while starting the dev services", e);
        }
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      starter.shutdownNow();
    }
  }

  /** SIGTERM and a clean shutdown; SIGKILL if the service is still alive after 10 seconds. */
  public final void stop() {
    ChildProcess current = detach();
    if (current != null) {
      current.terminate(STOP_GRACE);
    }
  }

  /**
   * SIGKILL to the server process, as in a crash: no shutdown, no final flush. Returns once the
   * process is gone.
   */
  public final void kill() {
    ChildProcess current = detach();
    if (current == null) {
      return;
    }
    Optional<ProcessHandle> server = serverHandle(current);
    if (server.isPresent() && server.get().pid() != current.pid()) {
      // Kill the server first and let its wrapper reap it, so that no zombie is left to init.
      server.get().destroyForcibly();
      current.awaitExit(Duration.ofSeconds(5));
    }
    current.kill();
  }

  /** Stops the service for good: {@link #start()} fails from now on. */
  final void retire() {
    synchronized (lock) {
      retired = true;
    }
    stop();
  }

  private ChildProcess detach() {
    synchronized (lock) {
      ChildProcess current = process;
      process = null;
      return current;
    }
  }

  /** Prepares the folder and spawns the process; called with the lock held. */
  abstract ChildProcess launch() throws IOException;

  /** How long a start may take before it counts as failed. */
  abstract Duration startTimeout();

  /** Returns once the service answers; throws a {@link DevServicesException} otherwise. */
  abstract void awaitReady(ChildProcess launched, Instant deadline);

  /** The process that really serves, when the spawned one is only a wrapper. */
  Optional<ProcessHandle> serverHandle(ChildProcess launched) {
    return Optional.of(launched.handle());
  }

  /** A readiness check; an exception counts as "not yet". */
  @FunctionalInterface
  interface Probe {
    boolean ready() throws Exception;
  }

  /**
   * Polls {@code probe} until it answers true; fails at once if the process exits, and with the
   * last error and the log's tail when the deadline passes.
   */
  final void poll(ChildProcess launched, Instant deadline, String what, Probe probe) {
    Exception last = null;
    while (true) {
      if (!launched.isAlive()) {
        throw failure(launched, "it exited with code " + launched.exitValue() + " " + what, last);
      }
      try {
        if (probe.ready()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      if (Instant.now().isAfter(deadline)) {
        throw failure(
            launched, "no answer within " + startTimeout().toSeconds() + " s " + what, last);
      }
      ChildProcess.sleep(POLL_INTERVAL);
    }
  }

  /** A start failure whose message ends with the log lines of this launch. */
  final DevServicesException failure(ChildProcess launched, String reason, Exception cause) {
    String message =
        name
            + " on "
            + HOST
            + ":"
            + port
            + " did not start: "
            + reason
            + (cause == null ? "" : " (last error: " + cause + ")")
            + "\n--- last lines of "
            + launched.logFile()
            + " ---\n"
            + launched.logTail(LOG_TAIL_LINES);
    return new DevServicesException(message, cause);
  }

  @Override
  public String toString() {
    return name + "@" + HOST + ":" + port;
  }
}
