package com.cartgateway.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the price cache's stamps")
class PriceCacheTest {
  private static final Optional<Price> TEN = Optional.of(new Price(1000, "USD"));
  private static final Optional<Price> ELEVEN = Optional.of(new Price(1100, "USD"));

  private long nanos = 1_000_000_000L;
  private final PriceCache cache =
      new PriceCache(
          Duration.ofSeconds(1), new SimpleMeterRegistry(), () -> nanos, 3, Runnable::run);

  @Test
  @DisplayName("a stamp lasts until the oldest price it used would expire")
  void lastsUntilTheOldestEntryExpires() {
    keep(Map.of("A", TEN));
    nanos += 400_000_000L;
    keep(Map.of("B", TEN));
    PriceCache.Lookup lookup = cache.lookup(List.of("A", "B"));
    assertThat(lookup.missing()).isEmpty();
    nanos += 599_999_999L;
    assertThat(cache.unchanged(lookup.stamp())).isTrue();
    nanos += 1;
    assertThat(cache.unchanged(lookup.stamp())).isFalse();
  }

  @Test
  @DisplayName("a stamp of prices read from Redis lasts one lifetime from the read")
  void missesCountFromTheirRead() {
    PriceCache.Lookup lookup = cache.lookup(List.of("A"));
    assertThat(lookup.missing()).containsExactly("A");
    PriceCache.Stamp stamp = cache.keep(Map.of("A", TEN), lookup.stamp());
    nanos += 999_999_999L;
    assertThat(cache.unchanged(stamp)).isTrue();
    nanos += 1;
    assertThat(cache.unchanged(stamp)).isFalse();
  }

  @Test
  @DisplayName("a catalog change through this process ends every stamp at once")
  void invalidationEndsStamps() {
    keep(Map.of("A", TEN));
    PriceCache.Stamp stamp = cache.lookup(List.of("A")).stamp();
    cache.invalidate("B");
    assertThat(cache.unchanged(stamp)).isFalse();
  }

  @Test
  @DisplayName("another price read for a cached SKU ends every stamp; the same price does not")
  void changedPriceEndsStamps() {
    keep(Map.of("A", TEN));
    PriceCache.Stamp stamp = cache.lookup(List.of("A")).stamp();
    keep(Map.of("A", TEN));
    assertThat(cache.unchanged(stamp)).isTrue();
    keep(Map.of("A", ELEVEN));
    assertThat(cache.unchanged(stamp)).isFalse();
  }

  @Test
  @DisplayName("a price evicted for room ends every stamp, since it may come back another")
  void evictionEndsStamps() {
    keep(Map.of("A", TEN, "B", TEN, "C", TEN));
    PriceCache.Stamp stamp = cache.lookup(List.of("A", "B", "C")).stamp();
    keep(Map.of("D", TEN));
    assertThat(cache.lookup(List.of("A", "B", "C", "D")).missing()).hasSize(1);
    assertThat(cache.unchanged(stamp)).isFalse();
  }

  private void keep(Map<String, Optional<Price>> prices) {
    cache.keep(prices, cache.lookup(prices.keySet()).stamp());
  }
}
