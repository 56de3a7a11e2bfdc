package com.cartgateway.commerce;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Optional;
import java.util.regex.Pattern;

/** Converts between integer minor units (inside) and decimal strings (outside), exactly. */
public final class Money {
  // Compiled once: String.matches compiles its pattern on every call, and every rendered line
  // formats two amounts.
  private static final Pattern CODE = Pattern.compile("[A-Z]{3}");
  private static final Pattern AMOUNT = Pattern.compile("\\d{1,15}(\\.\\d{1,6})?");

  private Money() {}

  /** The minor digits of an ISO 4217 currency, or empty when the code is not a currency. */
  public static Optional<Integer> minorDigits(String currency) {
    if (currency == null || !CODE.matcher(currency).matches()) {
      return Optional.empty();
    }
    try {
      int digits = Currency.getInstance(currency).getDefaultFractionDigits();
      return Optional.of(Math.max(digits, 0));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** {@code 2999, "USD"} gives {@code "29.99"}; {@code 500, "JPY"} gives {@code "500"}. */
  public static String format(long minorUnits, String currency) {
    int digits = minorDigits(currency).orElse(2);
    return BigDecimal.valueOf(minorUnits, digits).toPlainString();
  }

  /**
   * Parses a non-negative decimal amount with at most the currency's minor digits.
   *
   * @return the amount in minor units, or empty when the text is not such an amount
   */
  public static Optional<Long> parse(String amount, String currency) {
    Optional<Integer> digits = minorDigits(currency);
    if (digits.isEmpty() || amount == null || !AMOUNT.matcher(amount).matches()) {
      return Optional.empty();
    }
    BigDecimal value = new BigDecimal(amount);
    if (value.stripTrailingZeros().scale() > digits.get()) {
      return Optional.empty();
    }
    try {
      return Optional.of(value.movePointRight(digits.get()).longValueExact());
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
  }
}
