package com.cartgateway.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.config.AppConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the timer role's sweep verticle")
class SweepVerticleTest {
  // Never connected: the sweeps below send no command.
  private static final AppConfig.Redis REDIS =
      new AppConfig.Redis(
          List.of("redis://127.0.0.1:1"), false, 1, Duration.ofSeconds(1), 0, Duration.ZERO);

  private final Vertx vertx = Vertx.vertx();
  private final MeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A sweep whose runs end only when the test says so, counting its ticks and runs. */
  private static final class HeldSweep implements Sweep {
    final AtomicInteger ticks = new AtomicInteger();
    final AtomicInteger runs = new AtomicInteger();
    final AtomicInteger stops = new AtomicInteger();
    private volatile Promise<Void> running;
    private volatile Context context;

    @Override
    public Future<?> run() {
      context = Vertx.currentContext();
      running = Promise.promise();
      runs.incrementAndGet();
      return running.future();
    }

    /** Ends the run in flight, on the verticle's context, as a real sweep's reply would. */
    void end(boolean ok) {
      Promise<Void> run = running;
      context.runOnContext(
          ignored -> {
            if (ok) {
              run.complete();
            } else {
              run.fail("refused");
            }
          });
    }

    @Override
    public void tick() {
      ticks.incrementAndGet();
    }

    @Override
    public Future<?> stop() {
      stops.incrementAndGet();
      return Future.succeededFuture();
    }
  }

  @Test
  @DisplayName("a slow run is not overlapped: ticks go on, the next run waits for it to end")
  void oneRunAtATime() throws Exception {
    HeldSweep sweep = new HeldSweep();
    vertx
        .deployVerticle(
            new SweepVerticle(
                "test sweep", Duration.ofMillis(10), REDIS, (v, context, redis) -> sweep, registry))
        .await(10, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(10)).until(() -> sweep.ticks.get() >= 5);
    assertThat(sweep.runs).hasValue(1);

    sweep.end(true);
    await().atMost(Duration.ofSeconds(10)).until(() -> sweep.runs.get() == 2);
    assertThat(timed("success")).as("the first run, timed once it ended").isEqualTo(1);
  }

  private long timed(String outcome) {
    return registry
        .get("cart_sweep_duration_seconds")
        .tag("sweep", "test sweep")
        .tag("outcome", outcome)
        .timer()
        .count();
  }

  @Test
  @DisplayName("a failed run is followed by the next one; undeploying stops the sweep")
  void failedRunAndStop() throws Exception {
    HeldSweep sweep = new HeldSweep();
    String id =
        vertx
            .deployVerticle(
                new SweepVerticle(
                    "test sweep",
                    Duration.ofMillis(10),
                    REDIS,
                    (v, context, redis) -> sweep,
                    registry))
            .await(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> sweep.runs.get() == 1);

    sweep.end(false);
    await().atMost(Duration.ofSeconds(10)).until(() -> sweep.runs.get() == 2);
    assertThat(timed("failure")).as("the failed run, timed").isEqualTo(1);
    assertThat(timed("success")).isZero();

    vertx.undeploy(id).await(10, TimeUnit.SECONDS);
    assertThat(sweep.stops).hasValue(1);
  }
}
