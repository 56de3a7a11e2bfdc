package com.cartgateway.reconcile;

import io.vertx.core.Future;

/**
 * One job of the timer role, run by a {@link SweepVerticle} on its timer, never two runs at once: a
 * slow run is not overlapped by the next tick, which is skipped.
 */
@FunctionalInterface
public interface Sweep {
  /** One run over everything the sweep covers; its failure is logged and the next tick retries. */
  Future<?> run();

  /** Called on every tick, also one skipped because a run is still going: for cheap samples. */
  default void tick() {}

  /**
   * Starts what the sweep keeps beside its timer (the hold expiry events); before the first run.
   */
  default Future<?> start() {
    return Future.succeededFuture();
  }

  /** Stops what {@link #start()} started; after the timer is cancelled. */
  default Future<?> stop() {
    return Future.succeededFuture();
  }
}
