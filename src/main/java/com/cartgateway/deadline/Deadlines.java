package com.cartgateway.deadline;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Deadlines of one length for the work one event loop starts, kept in the order they started and
 * checked by one periodic timer. Starting and cancelling one is a few field writes, where a Vert.x
 * timer each (what {@code TimeoutHandler} and {@code Future.timeout} use) schedules a task, keeps a
 * map entry and cancels both again, for every request and every command. A deadline fires between
 * its length and its length plus one tick (a twentieth of it, 5 to 100 ms) after it started.
 *
 * <p>Confined to the event loop thread that created it (any context on that thread, such as a
 * request's): {@link #owned()} tells whether the caller runs there; elsewhere, and always when
 * created on a worker context, use {@code Future.timeout}.
 */
public final class Deadlines {
  private static final long MIN_TICK_MILLIS = 5;
  private static final long MAX_TICK_MILLIS = 100;

  private final Vertx vertx;
  // The event loop's thread, or null off an event loop. A thread, not a context: Vert.x runs each
  // HTTP request on a duplicate of the verticle's context, on the same thread.
  private final Thread loop;
  private final long lengthNanos;
  private final long timer;
  // Sentinel of a circular doubly linked list, oldest first: every deadline has the same length,
  // so start order is expiry order, and a cancelled one unlinks itself in constant time.
  private final Deadline live = new Deadline(null, 0);

  private Deadlines(Vertx vertx, Context context, Duration length) {
    this.vertx = vertx;
    // A worker context's tasks move between pool threads, which also run other contexts.
    this.loop = context.isEventLoopContext() ? Thread.currentThread() : null;
    this.lengthNanos = length.toNanos();
    long tick = Math.max(MIN_TICK_MILLIS, Math.min(MAX_TICK_MILLIS, length.toMillis() / 20));
    this.timer = vertx.setPeriodic(tick, id -> expire(System.nanoTime()));
  }

  /**
   * Deadlines of the calling event loop, all of the given length, until {@link #close()} (or the
   * undeployment of the calling verticle, which cancels its timers).
   *
   * @throws IllegalStateException when not called on a Vert.x context
   */
  public static Deadlines ofCurrentContext(Vertx vertx, Duration length) {
    Context context = Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException("deadlines belong to an event loop; none is running here");
    }
    return new Deadlines(vertx, context, length);
  }

  /** Whether the caller runs on the event loop these deadlines belong to. */
  public boolean owned() {
    return loop != null && Thread.currentThread() == loop;
  }

  /**
   * Runs {@code onExpiry} once when the deadline passes, unless {@link Deadline#cancel()} came
   * first. Call on the owning event loop only.
   */
  public Deadline start(Runnable onExpiry) {
    Deadline deadline = new Deadline(onExpiry, System.nanoTime() + lengthNanos);
    deadline.prev = live.prev;
    deadline.next = live;
    live.prev.next = deadline;
    live.prev = deadline;
    return deadline;
  }

  /**
   * The outcome of {@code work}, or a {@link DeadlineExceededException} naming {@code what} once
   * the deadline passes first. Call on the owning event loop only.
   */
  public <T> Future<T> bound(Future<T> work, String what) {
    if (work.isComplete()) {
      return work;
    }
    Promise<T> outcome = Promise.promise();
    Deadline deadline =
        start(
            () ->
                outcome.tryFail(
                    new DeadlineExceededException(
                        what
                            + ": no answer within "
                            + TimeUnit.NANOSECONDS.toMillis(lengthNanos)
                            + " ms")));
    work.onComplete(
        done -> {
          deadline.cancel();
          if (done.succeeded()) {
            outcome.tryComplete(done.result());
          } else {
            outcome.tryFail(done.cause());
          }
        });
    return outcome.future();
  }

  /** Stops checking; deadlines not passed yet never fire. */
  public void close() {
    vertx.cancelTimer(timer);
  }

  /** Deadlines started and neither passed nor cancelled yet. */
  public int pending() {
    int count = 0;
    for (Deadline d = live.next; d != live; d = d.next) {
      count++;
    }
    return count;
  }

  private void expire(long now) {
    Deadline oldest;
    while ((oldest = live.next) != live && now - oldest.at >= 0) {
      oldest.cancel();
      oldest.onExpiry.run();
    }
  }

  /** One started deadline. */
  public static final class Deadline {
    private final Runnable onExpiry;
    private final long at;
    private Deadline prev = this;
    private Deadline next = this;

    private Deadline(Runnable onExpiry, long at) {
      this.onExpiry = onExpiry;
      this.at = at;
    }

    /** The work finished in time: the deadline will not fire. Idempotent. */
    public void cancel() {
      prev.next = next;
      next.prev = prev;
      prev = this;
      next = this;
    }
  }

  /** Work that did not finish before its deadline. */
  public static final class DeadlineExceededException extends TimeoutException {
    private static final long serialVersionUID = 1L;

    DeadlineExceededException(String message) {
      super(message);
    }

    // Thrown for every late answer while a dependency hangs: the stack says nothing useful.
    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
