package com.cartgateway.dynamo;

import com.cartgateway.circuit.Circuits;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** How the readers of the tables call DynamoDB: through the process's circuit, if any. */
final class DynamoCalls {
  private DynamoCalls() {}

  /**
   * Calls DynamoDB; completes on the caller's Vert.x context when there is one.
   *
   * @param circuits the process's circuits (while the {@code dynamodb} one is open the call fails
   *     at once), or null for a reader outside the gateway's processes (a tool, a test)
   */
  static <T> Future<T> call(Circuits circuits, Supplier<CompletionStage<T>> call) {
    Context context = Vertx.currentContext();
    Supplier<Future<T>> onCaller =
        () ->
            context == null
                ? Future.fromCompletionStage(call.get())
                : Future.fromCompletionStage(call.get(), context);
    return circuits == null ? onCaller.get() : circuits.call(Circuits.DYNAMODB, onCaller);
  }
}
