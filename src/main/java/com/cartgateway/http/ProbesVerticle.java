package com.cartgateway.http;

import com.cartgateway.config.AppConfig;
import com.cartgateway.config.Role;
import com.cartgateway.health.HealthChecks;
import com.cartgateway.process.ProcessClients;
import com.cartgateway.store.RedisGateway;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /health/live}, {@code /health/ready} and {@code /metrics} on the HTTP port of a process
 * without the HTTP role (a worker or a timer alone), so that an orchestrator can probe it and
 * Prometheus scrape it. Ready: the dependencies the process uses answer (Kafka and DynamoDB, and
 * Redis for a timer).
 */
public final class ProbesVerticle extends VerticleBase {
  private final AppConfig config;
  private final ProcessClients clients;
  private Optional<RedisGateway> redis = Optional.empty();
  private HealthChecks health;
  private HttpServer server;

  /**
   * @param config the configuration
   * @param clients the clients shared by the process
   */
  public ProbesVerticle(AppConfig config, ProcessClients clients) {
    this.config = config;
    this.clients = clients;
  }

  @Override
  public Future<?> start() {
    if (config.roles().contains(Role.TIMER)) {
      redis = Optional.of(RedisGateway.create(vertx, config.redis()));
    }
    health =
        new HealthChecks(
            vertx,
            redis,
            clients.kafkaAdmin(),
            clients.dynamo(),
            config.dynamoDb().cartsTable(),
            config.redis().commandTimeout(),
            clients.cartProgress(),
            () -> Future.succeededFuture(Map.of()),
            0);
    health.start();
    return new HttpEdge(config.http())
        .serve(
            vertx,
            new HttpServerOptions().setHttp2ClearTextEnabled(false),
            ApiRoutes.operationsOnly(vertx, config, health, clients.registry()))
        .onSuccess(listening -> server = listening);
  }

  @Override
  public Future<?> stop() {
    health.stop();
    return server
        .close()
        .eventually(() -> redis.map(RedisGateway::close).orElse(Future.succeededFuture()));
  }
}
