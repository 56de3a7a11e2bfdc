package com.cartgateway.commerce;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("money is exact: integer minor units inside, decimal strings outside")
class MoneyTest {
  @Test
  @DisplayName("formats with the currency's minor digits")
  void formats() {
    assertThat(Money.format(2999, "USD")).isEqualTo("29.99");
    assertThat(Money.format(5, "EUR")).isEqualTo("0.05");
    assertThat(Money.format(500, "JPY")).isEqualTo("500");
    assertThat(Money.format(1234, "KWD")).isEqualTo("1.234");
  }

  @Test
  @DisplayName("parses amounts without rounding and refuses extra digits")
  void parses() {
    assertThat(Money.parse("29.99", "USD")).hasValue(2999L);
    assertThat(Money.parse("29.9", "USD")).hasValue(2990L);
    assertThat(Money.parse("29.990", "USD")).hasValue(2999L);
    assertThat(Money.parse("0.1", "USD")).hasValue(10L);
    assertThat(Money.parse("29.999", "USD")).isEmpty();
    assertThat(Money.parse("1.5", "JPY")).isEmpty();
    assertThat(Money.parse("-1", "USD")).isEmpty();
    assertThat(Money.parse("1e3", "USD")).isEmpty();
    assertThat(Money.parse("1.00", "XYZ")).isEmpty();
  }

  @Test
  @DisplayName("sums of many small prices stay exact (no binary floating point)")
  void exactSums() {
    long tenCents = Money.parse("0.10", "USD").orElseThrow();
    assertThat(Money.format(tenCents * 3, "USD")).isEqualTo("0.30");
  }
}
