package com.cartgateway.deadline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("deadlines checked by one timer per event loop")
class DeadlinesTest {
  private static final Duration LENGTH = Duration.ofMillis(200);

  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();

  @AfterEach
  void close() {
    vertx.close();
  }

  @Test
  @DisplayName("a deadline fires once its length has passed, never before")
  void firesAfterItsLength() throws Exception {
    long elapsed =
        onLoop(
            deadlines -> {
              CompletableFuture<Long> fired = new CompletableFuture<>();
              long start = System.nanoTime();
              deadlines.start(() -> fired.complete(System.nanoTime() - start));
              return Future.fromCompletionStage(fired);
            });
    assertThat(Duration.ofNanos(elapsed)).isGreaterThanOrEqualTo(LENGTH);
  }

  @Test
  @DisplayName("a cancelled deadline never fires; later ones still do, in the order they started")
  void cancelledNeverFires() throws Exception {
    List<String> fired =
        onLoop(
            deadlines -> {
              List<String> order = new ArrayList<>();
              Promise<List<String>> last = Promise.promise();
              deadlines.start(() -> order.add("first"));
              deadlines.start(() -> order.add("cancelled")).cancel();
              deadlines.start(() -> order.add("third"));
              deadlines.start(() -> last.complete(order));
              return last.future();
            });
    assertThat(fired).containsExactly("first", "third");
  }

  @Test
  @DisplayName("bounded work that finishes in time keeps its outcome and leaves no deadline behind")
  void boundedInTime() throws Exception {
    String outcome =
        onLoop(
            deadlines -> {
              Promise<String> work = Promise.promise();
              Future<String> bounded = deadlines.bound(work.future(), "work");
              assertThat(deadlines.pending()).isEqualTo(1);
              work.complete("done");
              assertThat(deadlines.pending()).isZero();
              return bounded;
            });
    assertThat(outcome).isEqualTo("done");
  }

  @Test
  @DisplayName("bounded work that does not finish in time fails with a timeout naming it")
  void boundedTooLate() {
    assertThatThrownBy(
            () -> onLoop(deadlines -> deadlines.bound(Promise.<String>promise().future(), "redis")))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(Deadlines.DeadlineExceededException.class)
        .hasMessage("redis: no answer within 200 ms");
  }

  @Test
  @DisplayName(
      "deadlines belong to the event loop thread that made them, a request's duplicated context"
          + " included, and never to a worker context")
  void confinedToTheirLoop() throws Exception {
    assertThatThrownBy(() -> Deadlines.ofCurrentContext(vertx, LENGTH))
        .isInstanceOf(IllegalStateException.class);
    Deadlines deadlines =
        CompletableFuture.supplyAsync(
                () -> Deadlines.ofCurrentContext(vertx, LENGTH), this::runOnLoop)
            .get(5, TimeUnit.SECONDS);
    assertThat(deadlines.owned()).as("on the test's thread").isFalse();
    assertThat(
            CompletableFuture.supplyAsync(deadlines::owned, this::runOnLoop)
                .get(5, TimeUnit.SECONDS))
        .as("on its event loop")
        .isTrue();
    // Vert.x handles each HTTP request on a duplicate of the verticle's context.
    Context duplicate = ((ContextInternal) context).duplicate();
    assertThat(
            CompletableFuture.supplyAsync(
                    deadlines::owned, task -> duplicate.runOnContext(go -> task.run()))
                .get(5, TimeUnit.SECONDS))
        .as("on a duplicate of its context")
        .isTrue();

    Context worker = ((VertxInternal) vertx).createWorkerContext();
    Executor onWorker = task -> worker.runOnContext(go -> task.run());
    Deadlines ofWorker =
        CompletableFuture.supplyAsync(() -> Deadlines.ofCurrentContext(vertx, LENGTH), onWorker)
            .get(5, TimeUnit.SECONDS);
    assertThat(CompletableFuture.supplyAsync(ofWorker::owned, onWorker).get(5, TimeUnit.SECONDS))
        .as("a worker context's tasks move between threads")
        .isFalse();
  }

  private void runOnLoop(Runnable task) {
    context.runOnContext(go -> task.run());
  }

  /** Runs {@code test} on the event loop with fresh deadlines and waits for its outcome. */
  private <T> T onLoop(Function<Deadlines, Future<T>> test) throws Exception {
    Promise<T> outcome = Promise.promise();
    context.runOnContext(
        go -> {
          try {
            test.apply(Deadlines.ofCurrentContext(vertx, LENGTH)).onComplete(outcome);
          } catch (Throwable e) {
            outcome.fail(e);
          }
        });
    return outcome.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
