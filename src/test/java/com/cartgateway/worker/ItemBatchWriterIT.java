package com.cartgateway.worker;

import static com.cartgateway.worker.WorkerProcess.event;
import static com.cartgateway.worker.WorkerProcess.join;
import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.events.CartEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Invariant 1 at the DynamoDB boundary: the newest version of a cart wins, whatever the order. */
@DisplayName("the batch writer stores the newest version of each cart and never an older one")
class ItemBatchWriterIT {
  private static WorkerProcess process;
  private static ItemBatchWriter writer;
  private static Context context;

  @BeforeAll
  static void createTable() {
    process =
        WorkerProcess.start(
            WorkerProcess.unique("writer-it"), WorkerProcess.unique("writer-it"), 500);
    process.createTable();
    context = process.vertx.getOrCreateContext();
    writer = writer(process);
  }

  @AfterAll
  static void close() {
    process.close();
  }

  private static ItemBatchWriter writer(WorkerProcess process) {
    return new ItemBatchWriter(
        process.vertx,
        process.clients.dynamo(),
        process.config.dynamoDb().cartsTable(),
        process.config.worker(),
        process.clients.registry());
  }

  /** Runs a write on one Vert.x context, as the verticle does, and waits for it. */
  private static <T> T onContext(Context on, Supplier<Future<T>> action) {
    return join(Future.future(promise -> on.runOnContext(v -> action.get().onComplete(promise))));
  }

  private static ItemBatchWriter.Result write(List<CartEvent> events) {
    return onContext(context, () -> writer.write(events));
  }

  @Test
  @DisplayName(
      "60 carts in 2 versions each make 60 items, each the newest, each one write unit (a"
          + " transactional put would be two)")
  void coalescesAtOneWriteUnitAnItem() {
    List<String> carts =
        IntStream.range(0, 60).mapToObj(i -> WorkerProcess.unique("u:chunk")).toList();
    List<CartEvent> events = new ArrayList<>();
    carts.forEach(id -> events.add(event(id, 2)));
    carts.forEach(id -> events.add(event(id, 1)));
    double unitsBefore = process.counter("cart_writebehind_dynamodb_write_units");

    ItemBatchWriter.Result result = write(events);

    assertThat(result).isEqualTo(new ItemBatchWriter.Result(120, 60, 60, 0));
    assertThat(process.counter("cart_writebehind_dynamodb_write_units") - unitsBefore)
        .as("write units DynamoDB reported for 60 items under 1 KB")
        .isEqualTo(60.0);
    for (String id : carts) {
      assertThat(process.stored(id)).contains(event(id, 2));
    }
  }

  @Test
  @DisplayName("an older version written after a newer one is dropped as stale, in any mix")
  void neverBackwards() {
    String cart = WorkerProcess.unique("u:stale");
    String fresh = WorkerProcess.unique("u:fresh");
    write(List.of(event(cart, 5)));

    ItemBatchWriter.Result replay = write(List.of(event(cart, 3), event(fresh, 1)));
    ItemBatchWriter.Result same = write(List.of(event(cart, 5)));

    assertThat(replay).isEqualTo(new ItemBatchWriter.Result(2, 2, 1, 1));
    assertThat(same).isEqualTo(new ItemBatchWriter.Result(1, 1, 0, 1));
    assertThat(process.stored(cart)).contains(event(cart, 5));
    assertThat(process.stored(fresh)).contains(event(fresh, 1));
    assertThat(process.counter("cart_writebehind_items", "outcome", "stale")).isGreaterThan(1);
  }

  @Test
  @DisplayName("two writers racing over the same carts in random order leave the newest version")
  void racingWriters() {
    List<String> carts =
        IntStream.range(0, 8).mapToObj(i -> WorkerProcess.unique("u:race")).toList();
    ItemBatchWriter other = writer(process);
    Random random = new Random(42);
    int rounds = 8;
    // Each cart's newest version (30) lands in one random batch of one random writer; every
    // other slot holds an older one. Without the version condition, the last write would win.
    List<List<List<CartEvent>>> byWriter = List.of(new ArrayList<>(), new ArrayList<>());
    for (List<List<CartEvent>> batches : byWriter) {
      for (int round = 0; round < rounds; round++) {
        batches.add(new ArrayList<>());
      }
    }
    for (String id : carts) {
      int newestWriter = random.nextInt(2);
      int newestRound = random.nextInt(rounds);
      for (int w = 0; w < 2; w++) {
        for (int round = 0; round < rounds; round++) {
          boolean newest = w == newestWriter && round == newestRound;
          byWriter.get(w).get(round).add(event(id, newest ? 30 : 1 + random.nextInt(29)));
        }
      }
    }

    Future<Void> a = sequence(context, writer, byWriter.get(0));
    Future<Void> b = sequence(process.vertx.getOrCreateContext(), other, byWriter.get(1));
    join(Future.all(a, b));

    for (String id : carts) {
      assertThat(process.stored(id)).contains(event(id, 30));
    }
  }

  /** Writes batches one after the other on a context, as one consumer does. */
  private static Future<Void> sequence(
      Context on, ItemBatchWriter by, List<List<CartEvent>> batches) {
    return Future.future(
        promise ->
            on.runOnContext(
                v -> {
                  Future<?> chain = Future.succeededFuture();
                  for (List<CartEvent> batch : batches) {
                    chain = chain.compose(done -> by.write(batch));
                  }
                  chain.<Void>mapEmpty().onComplete(promise);
                }));
  }
}
