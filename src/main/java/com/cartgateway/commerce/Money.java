package com.cartgateway.commerce;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Converts between integer minor units (inside) and decimal strings (outside), exactly. */
public final class Money {
  // Compiled once: String.matches compiles its pattern on every call, and every rendered line
  // formats two amounts.
  private static final Pattern CODE = Pattern.compile("[A-Z]{3}");
  private static final Pattern AMOUNT = Pattern.compile("\\d{1,15}(\\.\\d{1,6})?");

  /**
   * The highest price, in minor units (9999999999.99 USD, 999999999999 JPY). With at most 9,000,000
   * units in a cart (the configuration refuses more lines times units a line) no subtotal leaves a
   * {@code long}, and every price is an exact integer even where Lua reads it as a double (below
   * 2^53).
   */
  public static final long MAX_PRICE = 999_999_999_999L;

  /**
   * The currencies in use today: those the JDK's ISO 4217 data gives an ISO 3166 country. Codes
   * that {@link Currency} knows but that are no money to price goods in stay out: withdrawn ones
   * (DEM), funds codes (USN, CLF), precious metals (XAU), testing (XTS) and "no currency" (XXX).
   */
  private static final Set<String> ACTIVE = active();

  private Money() {}

  private static Set<String> active() {
    Set<String> codes = new TreeSet<>();
    for (String country : Locale.getISOCountries()) {
      Currency currency = Currency.getInstance(new Locale("", country));
      if (currency != null && currency.getDefaultFractionDigits() >= 0) {
        codes.add(currency.getCurrencyCode());
      }
    }
    return Set.copyOf(codes);
  }

  /** The minor digits of an active ISO 4217 currency, or empty when the code is not one. */
  public static Optional<Integer> minorDigits(String currency) {
    if (currency == null || !CODE.matcher(currency).matches() || !ACTIVE.contains(currency)) {
      return Optional.empty();
    }
    return Optional.of(Currency.getInstance(currency).getDefaultFractionDigits());
  }

  /** {@code 2999, "USD"} gives {@code "29.99"}; {@code 500, "JPY"} gives {@code "500"}. */
  public static String format(long minorUnits, String currency) {
    int digits = minorDigits(currency).orElse(2);
    return BigDecimal.valueOf(minorUnits, digits).toPlainString();
  }

  /**
   * Parses a price: a non-negative decimal amount with at most the currency's minor digits, and at
   * most {@link #MAX_PRICE} minor units.
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
    long minorUnits = value.movePointRight(digits.get()).longValueExact();
    return minorUnits <= MAX_PRICE ? Optional.of(minorUnits) : Optional.empty();
  }

  /**
   * {@code subtotal} plus {@code quantity} units at {@code unitPrice}, exactly. Bounded prices and
   * quantities keep every cart inside a {@code long}; a price stored before the bound could still
   * leave it, and then the cart is refused rather than shown a wrapped, negative subtotal.
   *
   * @throws CartException (validation) when the sum leaves a {@code long}
   */
  public static long plusLine(long subtotal, long unitPrice, int quantity) {
    try {
      return Math.addExact(subtotal, Math.multiplyExact(unitPrice, quantity));
    } catch (ArithmeticException e) {
      throw new CartException(
          CartException.Reason.VALIDATION_FAILED, "the subtotal is beyond what a cart can hold");
    }
  }

  /**
   * The subtotal of the lines at the prices they were added at, as the currency's decimal string,
   * exact however large: for reports on carts already stored (an abandonment event), which refusing
   * would only stall.
   */
  public static String subtotalText(List<CartLine> lines, String currency) {
    BigInteger subtotal = BigInteger.ZERO;
    for (CartLine line : lines) {
      subtotal =
          subtotal.add(
              BigInteger.valueOf(line.unitPrice()).multiply(BigInteger.valueOf(line.quantity())));
    }
    return new BigDecimal(subtotal, minorDigits(currency).orElse(2)).toPlainString();
  }
}
