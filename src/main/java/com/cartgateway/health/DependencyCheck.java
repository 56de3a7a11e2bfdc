package com.cartgateway.health;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One dependency's check, run in the background: its last outcome, and how long the one in flight
 * has been waiting (past {@value #NO_ANSWER_MILLIS} ms without an answer it counts as down, before
 * its own deadline).
 */
final class DependencyCheck {
  private static final long NO_ANSWER_MILLIS = 1_000;

  private final Supplier<Future<Void>> probe;
  private final long timeoutMillis;
  private JsonObject last;
  private long startedNanos;
  private boolean inFlight;

  DependencyCheck(Supplier<Future<Void>> probe, long timeoutMillis) {
    this.probe = probe;
    this.timeoutMillis = timeoutMillis;
  }

  void run() {
    if (inFlight) {
      return;
    }
    inFlight = true;
    long start = System.nanoTime();
    startedNanos = start;
    probe
        .get()
        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .onComplete(
            done -> {
              inFlight = false;
              JsonObject result =
                  new JsonObject()
                      .put("status", done.succeeded() ? "UP" : "DOWN")
                      .put("latencyMs", (System.nanoTime() - start) / 1_000_000);
              if (done.failed()) {
                result.put("error", done.cause().getClass().getSimpleName());
              }
              last = result;
            });
  }

  JsonObject status(long nowNanos) {
    long waited = (nowNanos - startedNanos) / 1_000_000;
    if (inFlight && waited >= NO_ANSWER_MILLIS) {
      return new JsonObject()
          .put("status", "DOWN")
          .put("latencyMs", waited)
          .put("error", "NoAnswerYet");
    }
    return last == null
        ? new JsonObject().put("status", "DOWN").put("error", "NotCheckedYet")
        : last.copy();
  }
}
