package com.cartgateway.support;

import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Every command the test Redis runs (each master's, in a cluster), as {@code MONITOR} reports it,
 * so that a test can count the round trips of a request. Commands a script runs are reported with
 * {@code [0 lua]} and left out.
 */
public final class RedisMonitor implements AutoCloseable {
  private final List<URI> servers;
  private final List<Socket> sockets = new ArrayList<>();
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private RedisMonitor(List<URI> servers) {
    this.servers = servers;
  }

  private void watch(URI server) throws IOException {
    Socket socket = new Socket(server.getHost(), server.getPort());
    sockets.add(socket);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    command(socket.getOutputStream(), "MONITOR");
    if (!"+OK".equals(in.readLine())) {
      throw new IllegalStateException("MONITOR refused by " + server);
    }
    Thread reader = new Thread(() -> read(in), "redis-monitor");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts watching the test Redis: every master of a cluster. */
  public static RedisMonitor start() {
    Vertx vertx = Vertx.vertx();
    List<URI> servers;
    try {
      servers = RedisMasters.urls(vertx).stream().map(URI::create).toList();
    } catch (Exception e) {
      throw new IllegalStateException("cannot find the Redis masters", e);
    } finally {
      vertx.close();
    }
    RedisMonitor monitor = new RedisMonitor(servers);
    try {
      for (URI server : servers) {
        monitor.watch(server);
      }
      return monitor;
    } catch (IOException e) {
      monitor.close();
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The commands (not those scripts ran) that Redis received since the last call and mention {@code
   * text}. Waits until a marker sent after them arrives from every server, so nothing sent before
   * is missed.
   */
  public List<String> commandsMentioning(String text) throws Exception {
    return commandsMentioning(text, 0);
  }

  /**
   * As {@link #commandsMentioning(String)}, then waits for more until there are {@code atLeast}
   * (for commands sent without being waited on, which may reach Redis after the markers).
   */
  public List<String> commandsMentioning(String text, int atLeast) throws Exception {
    String marker = "monitor-marker-" + UUID.randomUUID();
    for (URI server : servers) {
      try (Socket other = new Socket(server.getHost(), server.getPort())) {
        command(other.getOutputStream(), "ECHO", marker);
        other.getInputStream().read(new byte[64]);
      }
    }
    List<String> found = new ArrayList<>();
    int markers = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (markers < servers.size()) {
      String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new IllegalStateException("the marker never reached MONITOR");
      }
      if (line.contains(marker)) {
        markers++;
      } else if (line.contains(text) && !line.contains(" lua] ")) {
        found.add(line);
      }
    }
    return awaitMore(found, text, atLeast, deadline);
  }

  private List<String> awaitMore(List<String> found, String text, int atLeast, long deadline)
      throws InterruptedException {
    while (found.size() < atLeast) {
      String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        return found;
      }
      if (line.contains(text) && !line.contains(" lua] ")) {
        found.add(line);
      }
    }
    return found;
  }

  @Override
  public void close() {
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing ends the watch either way
      }
    }
  }

  private void read(BufferedReader in) {
    try {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.add(line);
      }
    } catch (IOException closed) {
      // close() ends the watch
    }
  }

  private static void command(OutputStream out, String... args) throws IOException {
    StringBuilder resp = new StringBuilder("*").append(args.length).append("\r\n");
    for (String arg : args) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      resp.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
    }
    out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
