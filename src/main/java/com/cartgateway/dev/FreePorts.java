package com.cartgateway.dev;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks free TCP ports for the services, below the kernel's ephemeral range. A port inside that
 * range could be taken, while its service is down for a restart, as the local port of an outgoing
 * connection; a client reconnecting to it could even connect to itself (TCP simultaneous open).
 */
final class FreePorts {
  private static final int LOWEST = 20_000;
  private static final int DEFAULT_EPHEMERAL_START = 32_768;
  private static final int ATTEMPTS = 500;

  /** Redis Cluster's bus port is its client port plus this (Redis 6.2 cannot set it apart). */
  static final int CLUSTER_BUS_OFFSET = 10_000;

  private static final int HIGHEST = 65_535;

  /** Ports handed out by this JVM, so that two services never get the same one before binding. */
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePorts() {}

  /** A port nothing listens on now, not handed out before by this JVM. */
  static int next() {
    int ephemeralStart = ephemeralRangeStart();
    if (ephemeralStart - LOWEST >= 1_000) {
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        int port = ThreadLocalRandom.current().nextInt(LOWEST, ephemeralStart);
        if (isFree(port) && handOut(port)) {
          return port;
        }
      }
    }
    return anyPortFromTheKernel();
  }

  /**
   * A port for a Redis Cluster node: both it and its bus port ({@link #CLUSTER_BUS_OFFSET} above)
   * are free and below the ephemeral range, so an outgoing connection cannot take the bus port
   * between this check and the node's bind (the node would exit "Address already in use").
   */
  static int nextWithClusterBus() {
    int ephemeralStart = ephemeralRangeStart();
    int below = ephemeralStart - CLUSTER_BUS_OFFSET;
    // A machine whose ephemeral range starts too low for a bus port below it: any pair that fits.
    int from = below - LOWEST >= 1_000 ? LOWEST : 1_024;
    int until = below - LOWEST >= 1_000 ? below : HIGHEST - CLUSTER_BUS_OFFSET;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(from, until);
      int bus = port + CLUSTER_BUS_OFFSET;
      if (isFree(port) && isFree(bus) && handOut(port, bus)) {
        return port;
      }
    }
    throw new DevServicesException(
        "no free port pair for a Redis Cluster node after " + ATTEMPTS + " attempts");
  }

  /** Hands out all the ports or none, so that a node's bus port is never another's port. */
  private static synchronized boolean handOut(int... ports) {
    for (int port : ports) {
      if (HANDED_OUT.contains(port)) {
        return false;
      }
    }
    for (int port : ports) {
      HANDED_OUT.add(port);
    }
    return true;
  }

  private static int anyPortFromTheKernel() {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      try (ServerSocket socket = new ServerSocket(0)) {
        if (handOut(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      } catch (IOException e) {
        throw new DevServicesException("no free port: " + e.getMessage(), e);
      }
    }
    throw new DevServicesException("no free port after " + ATTEMPTS + " attempts");
  }

  /**
   * Binds the wildcard address without SO_REUSEADDR: that fails if anything listens on the port on
   * any address, or still has connections on it in TIME_WAIT.
   */
  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int ephemeralRangeStart() {
    // Read as a stream: Files.readString trusts the size /proc reports and may read too little.
    try (BufferedReader reader =
        Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      return Integer.parseInt(reader.readLine().trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return DEFAULT_EPHEMERAL_START;
    }
  }
}
