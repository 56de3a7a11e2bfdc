package com.cartgateway.store;

import com.cartgateway.circuit.Circuits;
import com.cartgateway.config.AppConfig;
import com.cartgateway.deadline.Deadlines;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.ZModem;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The one way to Redis: commands and scripts with a deadline, behind a circuit breaker of the
 * process's {@code redis} circuit ({@link Circuits}) so that a Redis that is down answers 503 at
 * once instead of queueing requests. Scripts are called by SHA and sent whole only when Redis
 * answers NOSCRIPT (after a restart or a failover). Created on a verticle's event loop, the
 * commands sent from there share its {@link Deadlines} rather than a timer each.
 */
public final class RedisGateway {
  /**
   * Scripts that change nothing durable (reads, and the rate limit's tokens): a failover may lose
   * what they wrote, so they never wait for replicas.
   */
  private static final Set<LuaScript> UNREPLICATED =
      Set.of(Scripts.CART_READ, Scripts.CART_BEGIN, Scripts.RATE_LIMIT);

  private final Redis client;
  private final Circuits circuits;
  private final long timeoutMillis;
  // Absent when created off any event loop (a loader at start, a test): a timer each then.
  private final Deadlines deadlines;
  private final NearCache<?> near;
  private final int waitReplicas;
  private final long waitMillis;

  private RedisGateway(
      Redis client,
      Circuits circuits,
      long timeoutMillis,
      Deadlines deadlines,
      NearCache<?> near,
      AppConfig.Redis config) {
    this.client = client;
    this.circuits = circuits;
    this.timeoutMillis = timeoutMillis;
    this.deadlines = deadlines;
    this.near = near;
    this.waitReplicas = config.waitReplicas();
    this.waitMillis = config.waitTimeout().toMillis();
  }

  /** A client for the configured standalone server or cluster, owned by the calling verticle. */
  public static RedisGateway create(Vertx vertx, AppConfig.Redis config) {
    return create(vertx, config, NearCache.off());
  }

  /**
   * A client whose scripts tell the process's near cache which keys they changed, as soon as Redis
   * answers (or fails to: the change may have applied).
   */
  public static RedisGateway create(Vertx vertx, AppConfig.Redis config, NearCache<?> near) {
    RedisOptions options =
        new RedisOptions()
            .setType(config.cluster() ? RedisClientType.CLUSTER : RedisClientType.STANDALONE)
            .setEndpoints(config.endpoints())
            .setMaxPoolSize(config.poolSize())
            .setMaxPoolWaiting(4096)
            .setMaxWaitingHandlers(4096)
            .setPreferredProtocolVersion(ProtocolVersion.RESP2);
    options.getNetClientOptions().setConnectTimeout((int) config.commandTimeout().toMillis());
    long timeout = config.commandTimeout().toMillis();
    Deadlines deadlines =
        Vertx.currentContext() == null
            ? null
            : Deadlines.ofCurrentContext(vertx, config.commandTimeout());
    return new RedisGateway(
        Redis.createClient(vertx, options), Circuits.of(vertx), timeout, deadlines, near, config);
  }

  /** Sends one command. */
  public Future<Response> send(Request request) {
    return circuits
        .<Response>call(Circuits.REDIS, () -> bounded(client.send(request)))
        .recover(e -> Future.failedFuture(new StoreUnavailableException("redis", e)));
  }

  /** Sends several commands in one round trip. */
  public Future<List<Response>> batch(List<Request> requests) {
    return circuits
        .<List<Response>>call(Circuits.REDIS, () -> bounded(client.batch(requests)))
        .recover(e -> Future.failedFuture(new StoreUnavailableException("redis", e)));
  }

  /**
   * Runs a script by SHA, sending its source when the server does not know it yet. A script that
   * changes durable state waits, in the same round trip, until {@code redis.waitReplicas} replicas
   * have its writes ({@code WAIT} right behind it on its connection): a replica promoted by a
   * failover then has every change that was acknowledged. Short of them it fails as unavailable,
   * though it applied on the master: as when Kafka refuses, the caller answers 503 and the change
   * is published by the sweep if the master keeps it. A script whose keys lie in more than one
   * cluster slot is refused before it is sent, on a single server too, so that the standalone test
   * suite catches what a Redis Cluster would refuse with CROSSSLOT.
   */
  public Future<Response> eval(LuaScript script, List<String> keys, List<Object> args) {
    // ZModem is the slot function of Vert.x's own cluster client (CRC16 of the hash tag).
    if (keys.size() > 1 && ZModem.generateMulti(keys) < 0) {
      return Future.failedFuture(
          new IllegalArgumentException(
              script.name() + " touches keys of more than one cluster slot: " + keys));
    }
    Future<Response> reply = run(script, keys, args);
    // The one script that reads a cart without changing it fills the near cache instead.
    return script == Scripts.CART_READ ? reply : reply.andThen(done -> near.changed(keys));
  }

  private Future<Response> run(LuaScript script, List<String> keys, List<Object> args) {
    boolean replicated = waitReplicas > 0 && !UNREPLICATED.contains(script);
    return circuits
        .<Response>call(
            Circuits.REDIS,
            () ->
                bounded(
                    send(request(Command.EVALSHA, script.sha(), keys, args), replicated)
                        .recover(
                            e ->
                                isNoScript(e)
                                    ? send(
                                        request(Command.EVAL, script.source(), keys, args),
                                        replicated)
                                    : Future.failedFuture(e))))
        .recover(e -> Future.failedFuture(new StoreUnavailableException("redis", e)));
  }

  /** The script, followed on the same connection by WAIT when it must be replicated. */
  private Future<Response> send(Request script, boolean replicated) {
    if (!replicated) {
      return client.send(script);
    }
    return client
        .batch(List.of(script, Request.cmd(Command.WAIT).arg(waitReplicas).arg(waitMillis)))
        .compose(
            replies -> {
              int acknowledged = replies.get(1).toInteger();
              return acknowledged >= waitReplicas
                  ? Future.succeededFuture(replies.get(0))
                  : Future.failedFuture(
                      new IllegalStateException(
                          "a script's writes reached "
                              + acknowledged
                              + " of "
                              + waitReplicas
                              + " replicas within "
                              + waitMillis
                              + " ms"));
            });
  }

  /** Loads scripts at start, so that a script with a syntax error stops the start. */
  public Future<Void> load(List<LuaScript> scripts) {
    return Future.all(
            scripts.stream()
                .map(s -> send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(s.source())))
                .toList())
        .mapEmpty();
  }

  /** Closes the connections. */
  public Future<Void> close() {
    if (deadlines != null) {
      deadlines.close();
    }
    return client.close();
  }

  private <T> Future<T> bounded(Future<T> reply) {
    return deadlines != null && deadlines.owned()
        ? deadlines.bound(reply, "redis")
        : reply.timeout(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** Whether Redis answered with an error (a script it refused, say), rather than not at all. */
  public static boolean isErrorReply(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause()) {
      if (e instanceof Response) {
        return true;
      }
    }
    return false;
  }

  private static boolean isNoScript(Throwable e) {
    // "NOSCRIPT ..." alone; "ERR [0] NOSCRIPT ..." as the first reply of a batch
    return e.getMessage() != null && e.getMessage().contains("NOSCRIPT");
  }

  private static Request request(
      Command command, String script, List<String> keys, List<Object> args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    keys.forEach(request::arg);
    for (Object arg : args) {
      request.arg(String.valueOf(arg));
    }
    return request;
  }
}
