package com.cartgateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A TCP proxy in front of the test Redis that can hold back the commands about one thing (a cart
 * id, say) until the test lets them through, so that a test can tell which commands a request sends
 * before it has any answer: those are one round trip. Commands about anything else pass, so that
 * new connections, sweeps and probes go on meanwhile. On a connection, once a command waits,
 * everything after it waits too: Redis sees each connection's bytes in order.
 */
public final class RedisGate implements AutoCloseable {
  private final ServerSocket server;
  private final String upstreamHost;
  private final int upstreamPort;
  private final Object lock = new Object();
  private final List<Link> links = new ArrayList<>();
  private String held;
  private volatile boolean closed;

  /** One client connection and its own connection to Redis. */
  private static final class Link {
    final Socket client;
    final Socket upstream;
    final ByteArrayOutputStream waiting = new ByteArrayOutputStream();

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }
  }

  private RedisGate(String upstreamHost, int upstreamPort) throws IOException {
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "redis-gate");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A gate in front of the test Redis. */
  public static RedisGate start() {
    URI url = URI.create(TestServices.get().redisUrl());
    try {
      return new RedisGate(url.getHost(), url.getPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The URL to give a gateway instead of the test Redis's. */
  public String url() {
    return "redis://127.0.0.1:" + server.getLocalPort();
  }

  /** From now on, commands that mention {@code text} wait for {@link #release}. */
  public void hold(String text) {
    synchronized (lock) {
      held = text;
    }
  }

  /**
   * Waits until the commands waiting (all connections, as Latin-1 text) meet {@code condition}, and
   * returns them.
   *
   * @throws AssertionError if they do not within {@code timeout}
   */
  public String awaitWaiting(Predicate<String> condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        String waiting = waiting();
        if (condition.test(waiting)) {
          return waiting;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("not sent before any answer; waiting: " + waiting);
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  /** Sends what waits; later commands about the held text wait again. */
  public void release() {
    synchronized (lock) {
      for (Link link : links) {
        try {
          link.waiting.writeTo(link.upstream.getOutputStream());
        } catch (IOException e) {
          // the connection is gone, and so are its commands
        }
        link.waiting.reset();
      }
    }
  }

  /** Sends what waits and holds nothing more. */
  public void open() {
    synchronized (lock) {
      held = null;
      release();
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    open();
    server.close();
    synchronized (lock) {
      for (Link link : links) {
        link.client.close();
        link.upstream.close();
      }
    }
  }

  private String waiting() {
    StringBuilder all = new StringBuilder();
    for (Link link : links) {
      all.append(link.waiting.toString(StandardCharsets.ISO_8859_1));
    }
    return all.toString();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Link link = new Link(client, new Socket(upstreamHost, upstreamPort));
        synchronized (lock) {
          links.add(link);
        }
        pump(link.upstream.getInputStream(), client.getOutputStream(), null);
        pump(client.getInputStream(), link.upstream.getOutputStream(), link);
      } catch (IOException e) {
        if (!closed) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  /**
   * Copies one direction of a connection; commands ({@code link} not null) may wait. Commands are
   * judged whole: a read can end in the middle of one (the held text split across two reads would
   * otherwise let the command through).
   */
  private void pump(InputStream in, OutputStream out, Link link) {
    Thread pump =
        new Thread(
            () -> {
              byte[] chunk = new byte[64 * 1024];
              ByteArrayOutputStream partial = new ByteArrayOutputStream();
              try {
                for (int n; (n = in.read(chunk)) >= 0; ) {
                  if (link == null) {
                    out.write(chunk, 0, n);
                    continue;
                  }
                  partial.write(chunk, 0, n);
                  byte[] bytes = partial.toByteArray();
                  int start = 0;
                  synchronized (lock) {
                    for (int end; (end = commandEnd(bytes, start)) > 0; start = end) {
                      if (held != null
                          && (link.waiting.size() > 0
                              || new String(bytes, start, end - start, StandardCharsets.ISO_8859_1)
                                  .contains(held))) {
                        link.waiting.write(bytes, start, end - start);
                        lock.notifyAll();
                      } else {
                        out.write(bytes, start, end - start);
                      }
                    }
                  }
                  partial.reset();
                  partial.write(bytes, start, bytes.length - start);
                }
              } catch (IOException e) {
                // a side closed: so does this direction
              } finally {
                try {
                  out.close();
                } catch (IOException e) {
                  // already closed
                }
              }
            },
            "redis-gate-pump");
    pump.setDaemon(true);
    pump.start();
  }

  /**
   * Where the command starting at {@code from} ends (a RESP array of bulk strings, as clients send
   * them, or an inline command ending in CRLF), or -1 while it is incomplete.
   */
  private static int commandEnd(byte[] bytes, int from) {
    if (from >= bytes.length) {
      return -1;
    }
    if (bytes[from] != '*') {
      int eol = lineEnd(bytes, from);
      return eol < 0 ? -1 : eol + 2;
    }
    int eol = lineEnd(bytes, from);
    if (eol < 0) {
      return -1;
    }
    int count =
        Integer.parseInt(new String(bytes, from + 1, eol - from - 1, StandardCharsets.US_ASCII));
    int at = eol + 2;
    for (int i = 0; i < count; i++) {
      int header = lineEnd(bytes, at);
      if (header < 0) {
        return -1;
      }
      int length =
          Integer.parseInt(new String(bytes, at + 1, header - at - 1, StandardCharsets.US_ASCII));
      at = header + 2 + length + 2;
      if (at > bytes.length) {
        return -1;
      }
    }
    return at;
  }

  /** The index of the CR of the first CRLF at or after {@code from}, or -1. */
  private static int lineEnd(byte[] bytes, int from) {
    for (int i = from; i + 1 < bytes.length; i++) {
      if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
