package com.cartgateway.reconcile;

import com.cartgateway.config.AppConfig;
import com.cartgateway.store.RedisGateway;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The timer role's verticle: runs one {@link Sweep} on a timer, one run at a time, over its own
 * Redis connections. The role deploys one per sweep (lapsed holds, abandoned carts, unpublished
 * changes), so that a slow one holds up neither the others' event loop nor their connections. Each
 * run is timed ({@code cart_sweep_duration_seconds{sweep, outcome}}): a sweep that takes longer
 * than its interval runs back to back.
 */
public final class SweepVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(SweepVerticle.class.getName());

  /** Builds a sweep over the verticle's Vert.x, context and Redis client. */
  @FunctionalInterface
  public interface Factory {
    /**
     * @param vertx the verticle's Vert.x
     * @param context the verticle's context (for the event publisher)
     * @param redis the verticle's own Redis client
     * @return the sweep to run
     */
    Sweep create(Vertx vertx, Context context, RedisGateway redis);
  }

  private final String name;
  private final Duration interval;
  private final AppConfig.Redis redisConfig;
  private final Factory factory;
  private final Timer succeeded;
  private final Timer failed;
  private RedisGateway redis;
  private Sweep sweep;
  private long timer;
  private boolean running;

  /**
   * @param name what the sweep is, for the logs (such as "hold sweep")
   * @param interval how often it runs
   * @param redisConfig the Redis connection settings
   * @param factory what builds the sweep
   * @param registry where its runs are timed
   */
  public SweepVerticle(
      String name,
      Duration interval,
      AppConfig.Redis redisConfig,
      Factory factory,
      MeterRegistry registry) {
    this.name = name;
    this.interval = interval;
    this.redisConfig = redisConfig;
    this.factory = factory;
    this.succeeded = timer(registry, name, "success");
    this.failed = timer(registry, name, "failure");
  }

  private static Timer timer(MeterRegistry registry, String sweep, String outcome) {
    return Timer.builder("cart_sweep_duration_seconds")
        .description("How long one run of a timer-role sweep took")
        .tag("sweep", sweep)
        .tag("outcome", outcome)
        .register(registry);
  }

  @Override
  public Future<?> start() {
    redis = RedisGateway.create(vertx, redisConfig);
    sweep = factory.create(vertx, context, redis);
    timer = vertx.setPeriodic(1, interval.toMillis(), id -> tick());
    return sweep.start();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return sweep.stop().eventually(() -> redis.close());
  }

  private void tick() {
    sweep.tick();
    if (running) {
      return;
    }
    running = true;
    long started = System.nanoTime();
    sweep
        .run()
        .onFailure(e -> LOG.log(Level.WARNING, name + " failed: " + e.getMessage()))
        .onComplete(
            done -> {
              (done.succeeded() ? succeeded : failed)
                  .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
              running = false;
            });
  }
}
