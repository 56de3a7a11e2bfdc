package com.cartgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.config.AppConfig;
import com.cartgateway.deadline.Deadlines;
import com.cartgateway.support.TestServices;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("a Redis that hangs")
class RedisDeadlineIT {
  private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(300);

  private final Vertx vertx = Vertx.vertx();
  private final Context loop = vertx.getOrCreateContext();
  private final AppConfig.Redis config =
      new AppConfig.Redis(
          List.of(TestServices.get().redisUrl()), false, 2, COMMAND_TIMEOUT, 0, Duration.ZERO);

  @AfterEach
  void close() {
    vertx.close();
  }

  @Test
  @DisplayName(
      "fails a command sent from the gateway's event loop (a request's context included) by the"
          + " loop's deadlines, and one sent from elsewhere by a timer of its own")
  void commandsFailByTheirDeadline() throws Exception {
    RedisGateway redis = onLoop(() -> Future.succeededFuture(RedisGateway.create(vertx, config)));
    onLoop(() -> redis.send(Request.cmd(Command.PING)));

    try (AutoCloseable hung = TestServices.suspend(TestServices.get().redis())) {
      Throwable onItsLoop = failure(() -> onLoop(() -> redis.send(Request.cmd(Command.PING))));
      assertThat(onItsLoop)
          .isInstanceOf(StoreUnavailableException.class)
          .cause()
          .isInstanceOf(Deadlines.DeadlineExceededException.class);
      // A request's handlers run on a duplicate of the verticle's context, on the same loop.
      Context request = ((ContextInternal) loop).duplicate();
      Promise<Object> fromRequest = Promise.promise();
      request.runOnContext(
          go -> redis.send(Request.cmd(Command.PING)).<Object>map(r -> r).onComplete(fromRequest));
      Throwable onARequest =
          failure(
              () ->
                  fromRequest
                      .future()
                      .toCompletionStage()
                      .toCompletableFuture()
                      .get(10, TimeUnit.SECONDS));
      assertThat(onARequest)
          .isInstanceOf(StoreUnavailableException.class)
          .cause()
          .isInstanceOf(Deadlines.DeadlineExceededException.class);

      Throwable elsewhere =
          failure(
              () ->
                  redis
                      .send(Request.cmd(Command.PING))
                      .toCompletionStage()
                      .toCompletableFuture()
                      .get(10, TimeUnit.SECONDS));
      assertThat(elsewhere)
          .isInstanceOf(StoreUnavailableException.class)
          .cause()
          .isNotInstanceOf(Deadlines.DeadlineExceededException.class)
          .hasMessageContaining(Long.toString(COMMAND_TIMEOUT.toMillis()));
    }
    assertThat(onLoop(() -> redis.send(Request.cmd(Command.PING))).toString()).isEqualTo("PONG");
  }

  private <T> T onLoop(Supplier<Future<T>> work) throws Exception {
    Promise<T> outcome = Promise.promise();
    loop.runOnContext(go -> work.get().onComplete(outcome));
    return outcome.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private interface Call {
    void run() throws Exception;
  }

  private static Throwable failure(Call call) throws Exception {
    try {
      call.run();
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the command answered while Redis was frozen");
  }
}
