package com.cartgateway.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.dynamo.DynamoCarts;
import com.cartgateway.events.CartEvent;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("a batch of items to store")
class ItemBatchWriterTest {
  @Test
  @DisplayName("coalescing keeps the newest version of each cart, whatever the order")
  void coalescing() {
    CartEvent a1 = WorkerProcess.event("u:a", 1);
    CartEvent a3 = WorkerProcess.event("u:a", 3);
    CartEvent a2 = WorkerProcess.event("u:a", 2);
    CartEvent b1 = WorkerProcess.event("u:b", 1);

    CartEvent other = WorkerProcess.event("u:a", 2);

    assertThat(
            ItemBatchWriter.coalesceItems(
                    List.of(
                        DynamoCarts.versioned("carts", a1),
                        DynamoCarts.versioned("carts", b1),
                        DynamoCarts.versioned("carts", a3),
                        DynamoCarts.versioned("carts", a2),
                        DynamoCarts.versioned("elsewhere", other)))
                .values())
        .as("one item per key and table, the newest")
        .containsExactly(
            DynamoCarts.versioned("carts", a3),
            DynamoCarts.versioned("carts", b1),
            DynamoCarts.versioned("elsewhere", other));
  }
}
