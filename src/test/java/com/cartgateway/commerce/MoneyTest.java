package com.cartgateway.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
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
  @DisplayName("only currencies in use today are currencies: no metals, funds, test or old codes")
  void activeCurrenciesOnly() {
    assertThat(Money.minorDigits("USD")).hasValue(2);
    assertThat(Money.minorDigits("JPY")).hasValue(0);
    assertThat(Money.minorDigits("XOF")).hasValue(0);
    assertThat(Money.minorDigits("XCD")).hasValue(2);
    for (String code :
        new String[] {"XXX", "XAU", "XAG", "XTS", "XDR", "XBA", "USN", "CLF", "DEM"}) {
      assertThat(Money.minorDigits(code)).as(code).isEmpty();
      assertThat(Money.parse("1", code)).as(code).isEmpty();
    }
  }

  @Test
  @DisplayName(
      "a price is at most MAX_PRICE minor units, which a double (and so Lua) holds exactly")
  void pricesAreBounded() {
    assertThat(Money.parse("9999999999.99", "USD")).hasValue(Money.MAX_PRICE);
    assertThat(Money.parse("10000000000.00", "USD")).isEmpty();
    assertThat(Money.parse("999999999999", "JPY")).hasValue(Money.MAX_PRICE);
    assertThat(Money.parse("999999999999999", "KWD")).isEmpty();
    assertThat((long) (double) Money.MAX_PRICE).isEqualTo(Money.MAX_PRICE);
    assertThat(Money.MAX_PRICE).isLessThan(1L << 53);
  }

  @Test
  @DisplayName(
      "the largest cart the configuration allows has an exact subtotal at the highest price")
  void largestCartIsExact() {
    // 9,000 lines of 1,000 units: ConfigLoader.MAX_UNITS_A_CART
    long subtotal = 0;
    for (int line = 0; line < 9_000; line++) {
      subtotal = Money.plusLine(subtotal, Money.MAX_PRICE, 1_000);
    }
    assertThat(Money.format(subtotal, "USD")).isEqualTo("89999999999910000.00");
  }

  @Test
  @DisplayName("a subtotal that would leave a long is refused, never wrapped to a negative amount")
  void overflowIsRefused() {
    assertThatThrownBy(() -> Money.plusLine(0, Long.MAX_VALUE / 500, 999))
        .isInstanceOfSatisfying(
            CartException.class,
            e -> assertThat(e.reason()).isEqualTo(CartException.Reason.VALIDATION_FAILED));
    assertThatThrownBy(() -> Money.plusLine(Long.MAX_VALUE - 1, 1, 2))
        .isInstanceOf(CartException.class);
  }

  @Test
  @DisplayName("a report on a stored cart totals it exactly, however large")
  void reportsTotalExactly() {
    CartLine line = new CartLine("SKU-1", 2, 1L << 62, 0, 0, 0, 0, null);
    CartLine cheap = new CartLine("SKU-2", 3, 5, 0, 0, 0, 0, null);
    assertThat(Money.subtotalText(List.of(line, cheap), "USD")).isEqualTo("92233720368547758.23");
    assertThat(Money.subtotalText(List.of(cheap), "JPY")).isEqualTo("15");
  }

  @Test
  @DisplayName("sums of many small prices stay exact (no binary floating point)")
  void exactSums() {
    long tenCents = Money.parse("0.10", "USD").orElseThrow();
    assertThat(Money.format(tenCents * 3, "USD")).isEqualTo("0.30");
  }
}
