package com.cartgateway.worker;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.function.Function;

/**
 * The worker role's verticle: runs one {@link WriteBehindLoop}, which {@link WorkerRole} builds on
 * this verticle's context (a worker context, which keeps the decoding and encoding of batches off
 * the HTTP event loops).
 */
public final class WriteBehindVerticle extends VerticleBase {
  private final Function<Vertx, WriteBehindLoop> wiring;
  private WriteBehindLoop loop;

  WriteBehindVerticle(Function<Vertx, WriteBehindLoop> wiring) {
    this.wiring = wiring;
  }

  @Override
  public Future<?> start() {
    loop = wiring.apply(vertx);
    return loop.start();
  }

  /** Lets the batch in flight finish and commit, then leaves the group. */
  @Override
  public Future<?> stop() {
    return loop.stop();
  }
}
