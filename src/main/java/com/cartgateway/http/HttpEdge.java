package com.cartgateway.http;

import com.cartgateway.config.AppConfig;
import io.netty.channel.ChannelPipeline;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerConnection;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP port of one process, as it faces the internet: one of these a process, shared by its
 * HTTP verticles. Connections idle past the idle timeout close; request heads that do not complete
 * within the header timeout close theirs ({@link GuardedRequestDecoder}); requests Netty cannot
 * decode get a problem+json answer. At most {@code http.maxConnections} connections are served as
 * usual: past it, a few more ({@link #PROBE_RESERVE}) are let in for one request each, which only
 * the health probes answer as usual (everything else gets a 503), so that an orchestrator still
 * sees a live process while the cap holds the rest off; past those, a connection closes at once.
 */
final class HttpEdge {
  /** Connections past the cap that may still carry one request, so that probes are answered. */
  static final int PROBE_RESERVE = 64;

  private static final Logger LOG = Logger.getLogger(HttpEdge.class.getName());
  private static final Set<String> PROBES = Set.of("/health/live", "/health/ready");
  private static final String FORWARDED_FOR = "X-Forwarded-For";

  private final AppConfig.Http config;
  private final AtomicInteger open = new AtomicInteger();
  private final Set<HttpConnection> pastCap = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean forwardedNoted = new AtomicBoolean();

  HttpEdge(AppConfig.Http config) {
    this.config = config;
  }

  /**
   * Serves a request handler on the configured host and port.
   *
   * @param vertx the verticle's Vert.x, on whose event loop the server runs
   * @param options the server's options; the edge's timeouts are set on them
   * @param handler what serves the requests (a router)
   */
  Future<HttpServer> serve(
      Vertx vertx, HttpServerOptions options, Handler<HttpServerRequest> handler) {
    options
        .setIdleTimeout((int) config.idleTimeout().toSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
    HttpServer server = vertx.createHttpServer(options);
    return server
        .connectionHandler(connection -> admit(connection, options))
        .invalidRequestHandler(Problems::invalid)
        // Decoding and I/O errors of a connection are the client's doing; its request, if any,
        // is answered by the router.
        .exceptionHandler(e -> LOG.log(Level.FINE, "connection: " + e))
        .requestHandler(request -> route(request, handler))
        .listen(config.port(), config.host());
  }

  private void admit(HttpConnection connection, HttpServerOptions options) {
    int count = open.incrementAndGet();
    connection.closeHandler(
        closed -> {
          open.decrementAndGet();
          pastCap.remove(connection);
        });
    if (count > config.maxConnections() + PROBE_RESERVE) {
      connection.close();
      return;
    }
    boolean past = count > config.maxConnections();
    if (past) {
      pastCap.add(connection);
    }
    // Vert.x has no option for these guards; its decoder is swapped for one that has them before
    // the connection's first byte is read.
    ChannelPipeline pipeline =
        ((HttpServerConnection) connection).channelHandlerContext().pipeline();
    pipeline.replace(
        GuardedRequestDecoder.NAME,
        GuardedRequestDecoder.NAME,
        new GuardedRequestDecoder(options, config.headerTimeout(), past));
  }

  private void route(HttpServerRequest request, Handler<HttpServerRequest> handler) {
    noteForwarded(request);
    HttpConnection connection = request.connection();
    if (!pastCap.contains(connection)) {
      handler.handle(request);
      return;
    }
    if (PROBES.contains(request.path())) {
      handler.handle(request);
      return;
    }
    Problems.answer(
        request,
        new Problems.Problem(
            ProblemType.UNAVAILABLE,
            "this process has as many connections as it serves; retry shortly",
            null));
  }

  /**
   * Says once, loudly, that the gateway seems to stand behind a proxy it does not trust: a peer in
   * a private or local range sends {@code X-Forwarded-For} while {@code http.trustedProxyHops} is
   * 0. Every client then shares the proxy's address, and with it the per-address limits.
   */
  private void noteForwarded(HttpServerRequest request) {
    if (config.trustedProxyHops() > 0
        || forwardedNoted.get()
        || !request.headers().contains(FORWARDED_FOR)
        || !isProxyAddress(request.remoteAddress().hostAddress())
        || !forwardedNoted.compareAndSet(false, true)) {
      return;
    }
    LOG.warning(
        "requests from "
            + request.remoteAddress().hostAddress()
            + " carry X-Forwarded-For but http.trustedProxyHops (CART_TRUSTED_PROXY_HOPS) is 0:"
            + " if a load balancer or CDN stands in front, every client shares its address and"
            + " its per-address limits (guest sessions, SKU reads); set the number of proxies"
            + " in front. Said once per process.");
  }

  /** Whether an address is private, loopback or link-local: where a proxy in front would be. */
  static boolean isProxyAddress(String address) {
    if (address == null
        || !NetUtil.isValidIpV4Address(address) && !NetUtil.isValidIpV6Address(address)) {
      return false;
    }
    try {
      InetAddress peer = InetAddress.getByName(address);
      byte[] bytes = peer.getAddress();
      boolean uniqueLocal = bytes.length == 16 && (bytes[0] & 0xfe) == 0xfc;
      boolean sharedSpace =
          bytes.length == 4 && (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64;
      return peer.isSiteLocalAddress()
          || peer.isLoopbackAddress()
          || peer.isLinkLocalAddress()
          || uniqueLocal
          || sharedSpace;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
