package com.cartgateway.dev;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds command lines for child JVMs: the same {@code java} as this process, this process's full
 * classpath, and {@link ParentWatchdog} in front of the real main class. Dev services start their
 * brokers with it, and the tests their child gateways.
 */
public final class JavaLauncher {
  /**
   * Options for every child: serial GC because these are small heaps on a shared machine (fewer
   * threads and less memory than G1), and no half-dead child after an OutOfMemoryError.
   */
  private static final List<String> COMMON_OPTIONS =
      List.of("-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true");

  private final Path java;
  private final Path classpathArgFile;

  private JavaLauncher(Path java, Path classpathArgFile) {
    this.java = java;
    this.classpathArgFile = classpathArgFile;
  }

  /**
   * A launcher for this JVM's {@code java} and classpath. The classpath goes into an argument file
   * in {@code folder}: it is long, and {@code ps} then still shows which service a JVM runs.
   */
  public static JavaLauncher forCurrentProcess(Path folder) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    if (!Files.isExecutable(java)) {
      java =
          ProcessHandle.current()
              .info()
              .command()
              .map(Path::of)
              .orElseThrow(() -> new IOException("cannot find the java executable"));
    }
    List<Path> classpath = Classpath.current();
    if (classpath.isEmpty()) {
      throw new IOException("cannot find this JVM's classpath");
    }
    String joined =
        classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    Path argFile = folder.resolve("classpath.args");
    Files.createDirectories(folder);
    Files.writeString(argFile, "-cp\n" + quote(joined) + "\n");
    return new JavaLauncher(java, argFile);
  }

  /** {@code java @classpath.args <options> -Djava.io.tmpdir=... ParentWatchdog <main> <args>}. */
  public List<String> command(
      List<String> jvmOptions, Path tmpDir, String mainClass, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.add("@" + classpathArgFile);
    command.addAll(COMMON_OPTIONS);
    command.addAll(jvmOptions);
    command.add("-Djava.io.tmpdir=" + tmpDir);
    command.add(ParentWatchdog.class.getName());
    command.add(mainClass);
    command.addAll(args);
    return command;
  }

  /** Quotes one argument-file token; inside quotes the launcher treats a backslash as escape. */
  private static String quote(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
