package com.cartgateway.dev;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * The main class of every child JVM: runs the real main class named by its first argument, and ends
 * the JVM when standard input reaches end-of-file. The parent holds the other end of that pipe and
 * never writes to it, so end-of-file means the parent is gone, even by SIGKILL, which no shutdown
 * hook sees. Without it a broker or DynamoDB Local would outlive a killed test JVM.
 *
 * <p>Usage: {@code java -cp ... com.cartgateway.dev.ParentWatchdog <main class> [args...]}.
 */
public final class ParentWatchdog {
  /** How long the service's own shutdown hooks may run before the JVM is halted. */
  private static final long EXIT_GRACE_MILLIS = 10_000;

  private ParentWatchdog() {}

  /** Starts the watch, then runs the real main class on this thread. */
  public static void main(String[] args) throws ReflectiveOperationException {
    if (args.length == 0) {
      System.err.println("usage: ParentWatchdog <main class> [args...]");
      System.exit(2);
    }
    Thread watch = new Thread(() -> exitAtEndOfInput(System.in), "parent-watchdog");
    watch.setDaemon(true);
    watch.start();
    Method main = Class.forName(args[0]).getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      // A main that throws might leave non-daemon threads behind; a failed start must end.
      e.getCause().printStackTrace();
      System.exit(1);
    }
  }

  private static void exitAtEndOfInput(InputStream input) {
    byte[] buffer = new byte[256];
    try {
      while (input.read(buffer) >= 0) {
        // The parent never writes; anything read is ignored.
      }
    } catch (IOException e) {
      // A broken pipe means the same as end-of-file: the parent is gone.
    }
    System.err.println("ParentWatchdog: the parent process is gone; exiting");
    Thread halt =
        new Thread(
            () -> {
              try {
                Thread.sleep(EXIT_GRACE_MILLIS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              Runtime.getRuntime().halt(143);
            },
            "parent-watchdog-halt");
    halt.setDaemon(true);
    halt.start();
    // exit() runs the service's shutdown hooks (the broker's clean shutdown); halt() bounds them.
    System.exit(143);
  }
}
