package com.cartgateway.http;

import com.cartgateway.config.AppConfig;
import com.cartgateway.process.ProcessClients;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Serves the HTTP API on one event loop, with its own Redis connections; all state lives in Redis,
 * so instances share nothing but the process's clients. The object graph is {@link HttpRole}'s.
 */
public final class CartHttpVerticle extends VerticleBase {
  private static final long DRAIN_SECONDS = 20;

  private final AppConfig config;
  private final ProcessClients clients;
  private final HttpEdge edge;
  private HttpRole role;
  private HttpServer server;

  private CartHttpVerticle(AppConfig config, ProcessClients clients, HttpEdge edge) {
    this.config = config;
    this.clients = clients;
    this.edge = edge;
  }

  /**
   * The verticles of one process, which share its HTTP port's connection cap.
   *
   * @param config the configuration
   * @param clients the clients shared by the process
   */
  public static Supplier<CartHttpVerticle> instances(AppConfig config, ProcessClients clients) {
    HttpEdge edge = new HttpEdge(config.http());
    return () -> new CartHttpVerticle(config, clients, edge);
  }

  @Override
  public Future<?> start() {
    role = HttpRole.start(vertx, context, config, clients);
    // Cleartext HTTP/1.1 only: HTTP/2 ends at the CDN or load balancer, and the h2c upgrade
    // lost large first responses (the OpenAPI document) for the JDK and curl clients.
    return edge.serve(
            vertx,
            new HttpServerOptions()
                .setCompressionSupported(true)
                .setTcpNoDelay(true)
                .setHttp2ClearTextEnabled(false),
            role.router())
        .onSuccess(listening -> server = listening);
  }

  /** Stops accepting, lets requests in flight finish, then closes the Redis connections. */
  @Override
  public Future<?> stop() {
    role.stopChecks();
    return server.shutdown(DRAIN_SECONDS, TimeUnit.SECONDS).eventually(role::close);
  }
}
