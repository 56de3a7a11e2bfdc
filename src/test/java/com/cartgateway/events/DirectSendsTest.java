package com.cartgateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Direct Kafka sends")
class DirectSendsTest {
  private final DirectSends sends = new DirectSends();

  @Test
  @DisplayName(
      "a topic no record of which was acknowledged goes through a worker: its metadata may be missing")
  void notBeforeAnAcknowledgement() {
    assertThat(sends.allowed("cart.events", 100)).isFalse();
    sends.sending(100);
    sends.answered("cart.events", 100, false);
    assertThat(sends.allowed("cart.events", 100)).as("after a failed send").isFalse();
    sends.sending(100);
    sends.answered("cart.events", 100, true);
    assertThat(sends.allowed("cart.events", 100)).isTrue();
    assertThat(sends.allowed("catalog.events", 100)).as("another topic").isFalse();
  }

  @Test
  @DisplayName(
      "while unanswered records fill a quarter of the producer's buffer, sends go through a worker")
  void notWhileTheBufferFills() {
    sends.sending(10);
    sends.answered("cart.events", 10, true);
    long half = DirectSends.MAX_PENDING_BYTES / 2;
    sends.sending(half);
    assertThat(sends.allowed("cart.events", 1000)).isTrue();
    sends.sending(half);
    assertThat(sends.allowed("cart.events", 1000)).isFalse();
    sends.answered("cart.events", half, false);
    assertThat(sends.allowed("cart.events", 1000)).as("once the producer answered").isTrue();
  }
}
