package com.cartgateway.app;

import com.cartgateway.circuit.Circuits;
import com.cartgateway.config.AppConfig;
import com.cartgateway.config.Role;
import com.cartgateway.http.CartHttpVerticle;
import com.cartgateway.http.ProbesVerticle;
import com.cartgateway.process.ProcessClients;
import com.cartgateway.reconcile.TimerRole;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisServer;
import com.cartgateway.store.Scripts;
import com.cartgateway.worker.WorkerRole;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * One running gateway process: Vert.x, the shared clients ({@link SharedClients}), and the roles
 * the configuration names, each deployed from its own factory: the HTTP role's {@link
 * CartHttpVerticle}, the worker role's {@link WorkerRole}, the timer role's {@link TimerRole}.
 */
public final class Application {
  private static final Logger LOG = Logger.getLogger(Application.class.getName());

  private final Vertx vertx;
  private final AppConfig config;
  private final ProcessClients clients;

  private Application(Vertx vertx, AppConfig config, ProcessClients clients) {
    this.vertx = vertx;
    this.config = config;
    this.clients = clients;
  }

  /**
   * Starts the roles that the configuration names.
   *
   * @return the running application, or a failure when a dependency or a script is broken
   */
  public static Future<Application> start(AppConfig config) {
    PrometheusMeterRegistry registry = ProcessMetrics.registry();
    Vertx vertx = ProcessMetrics.vertx(registry);
    // Before any role: every circuit's meters exist from the start, at 0 (closed).
    Circuits.forProcess(vertx, registry);
    Application app = new Application(vertx, config, SharedClients.create(vertx, config, registry));
    return app.deploy()
        .map(app)
        .recover(e -> app.close().transform(ignored -> Future.failedFuture(e)));
  }

  private Future<Void> deploy() {
    // One reader of the worker group's progress per process, whatever its roles: the health checks
    // report its lag, the worker exports it, and all of them share its cache. The first read
    // starts now, in the background, so that the lag gauges exist before the first scrape.
    clients
        .cartProgress()
        .snapshot()
        .onFailure(e -> LOG.fine("write-behind progress not read yet: " + e));
    Future<Void> scripts = loadScripts();
    List<Future<?>> deployments = new ArrayList<>();
    if (config.roles().contains(Role.HTTP)) {
      deployments.add(scripts.compose(loaded -> deployHttp()));
    }
    if (config.roles().contains(Role.WORKER)) {
      deployments.add(deployWorker());
    }
    if (config.roles().contains(Role.TIMER)) {
      deployments.add(scripts.compose(loaded -> deployTimer()));
    }
    if (!config.roles().contains(Role.HTTP)) {
      // Probes and metrics still answer where no API does.
      deployments.add(
          vertx.deployVerticle(() -> new ProbesVerticle(config, clients), new DeploymentOptions()));
    }
    return Future.all(deployments)
        .onSuccess(
            ok ->
                LOG.info(
                    "cart gateway started: roles="
                        + config.roles()
                        + " port="
                        + config.http().port()
                        + " httpInstances="
                        + config.http().verticleInstances()))
        .mapEmpty();
  }

  /**
   * Every role that runs scripts loads them all first, on every master, so that one Redis refuses
   * (an error in a script) stops the start. A Redis that does not answer does not: the gateway
   * starts and serves what it can without it (stale reads, 503 for writes), and each script is
   * loaded on first use.
   */
  private Future<Void> loadScripts() {
    if (!config.roles().contains(Role.HTTP) && !config.roles().contains(Role.TIMER)) {
      return Future.succeededFuture();
    }
    RedisGateway loader = RedisGateway.create(vertx, config.redis());
    return RedisServer.loadOnEveryMaster(vertx, loader, config.redis(), Scripts.ALL)
        .recover(
            failure -> {
              if (RedisGateway.isErrorReply(failure)) {
                return Future.failedFuture(failure);
              }
              LOG.warning(
                  "Redis did not answer at start ("
                      + failure.getMessage()
                      + "): starting without it; scripts load on first use");
              return Future.succeededFuture();
            })
        .eventually(loader::close);
  }

  /** The HTTP role: the configured number of instances, each on its own event loop. */
  private Future<String> deployHttp() {
    return vertx.deployVerticle(
        CartHttpVerticle.instances(config, clients),
        new DeploymentOptions().setInstances(config.http().verticleInstances()));
  }

  /** The worker role, on a worker context: decoding and encoding stay off the event loops. */
  private Future<String> deployWorker() {
    WorkerRole worker =
        new WorkerRole(
            config, clients.registry(), clients.cartProgress(), clients.dynamo(), clients.spans());
    return vertx.deployVerticle(
        worker::verticle, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER));
  }

  /** The timer role: one sweep verticle per timer. */
  private Future<?> deployTimer() {
    TimerRole timer = new TimerRole(config, clients);
    return Future.all(
        vertx.deployVerticle(timer::holds, new DeploymentOptions()),
        vertx.deployVerticle(timer::abandonment, new DeploymentOptions()),
        vertx.deployVerticle(timer::republish, new DeploymentOptions()));
  }

  /** The clients the verticles share (for tests and the dev launcher). */
  public ProcessClients clients() {
    return clients;
  }

  /**
   * Stops gracefully: the HTTP verticles stop accepting and finish their requests, then the shared
   * clients close and the spans not yet exported are sent.
   */
  public Future<Void> close() {
    clients.nearCache().close();
    return vertx
        .close()
        .eventually(
            () -> {
              SharedClients.close(clients);
              return Future.succeededFuture();
            });
  }
}
