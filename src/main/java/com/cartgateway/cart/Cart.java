package com.cartgateway.cart;

import com.cartgateway.commerce.CartException;
import com.cartgateway.commerce.CartLine;
import com.cartgateway.commerce.Money;
import com.cartgateway.identity.Owner;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A cart as stored in its Redis hash.
 *
 * @param owner whose cart
 * @param version grows by at least one on every change; 0 for a cart never written
 * @param currency the currency of its lines, or null when it has none
 * @param lines the lines, oldest first
 * @param updatedAt epoch millis of the last change, 0 for a cart never written
 * @param shopperChangedAt epoch millis of the last change by the shopper (the idle clock)
 * @param recoveredAt when a change followed a reported abandonment not yet announced, else 0
 */
public record Cart(
    Owner owner,
    long version,
    String currency,
    List<CartLine> lines,
    long updatedAt,
    long shopperChangedAt,
    long recoveredAt) {

  /** The cart of an owner who never wrote one. */
  public static Cart empty(Owner owner) {
    return new Cart(owner, 0, null, List.of(), 0, 0, 0);
  }

  /**
   * This cart, when a change made against version {@code ifMatch} (the If-Match header; null for
   * any version) may apply to it; else the refusal: a version conflict (412) naming this version.
   */
  public Future<Cart> matching(Long ifMatch) {
    return ifMatch == null || ifMatch == version
        ? Future.succeededFuture(this)
        : Future.failedFuture(CartException.versionConflict(version));
  }

  /** Reads the fields of the cart hash (an empty map is an empty cart). */
  public static Cart fromHash(Owner owner, Map<String, String> hash) {
    List<CartLine> lines = new ArrayList<>();
    hash.forEach(
        (field, value) -> {
          if (field.startsWith("l:")) {
            String sku = field.substring(2);
            lines.add(CartLine.parse(sku, value, hash.get("var:" + sku)));
          }
        });
    lines.sort(Comparator.comparingLong(CartLine::addedAt).thenComparing(CartLine::sku));
    return new Cart(
        owner,
        Long.parseLong(hash.getOrDefault("v", "0")),
        hash.get("cur"),
        List.copyOf(lines),
        Long.parseLong(hash.getOrDefault("u", "0")),
        Long.parseLong(hash.getOrDefault("sc", hash.getOrDefault("u", "0"))),
        Long.parseLong(hash.getOrDefault("rec", "0")));
  }

  /** The line for a SKU, or null. */
  public CartLine line(String sku) {
    return lines.stream().filter(l -> l.sku().equals(sku)).findFirst().orElse(null);
  }

  /**
   * The subtotal once the SKU's line holds {@code quantity} units at {@code unitPrice}, checked
   * before a write so that a cart no {@code long} can total is refused rather than written. Bounded
   * prices never make such a cart; a price stored before {@link Money#MAX_PRICE} could.
   *
   * @throws CartException (validation) when the subtotal leaves a {@code long}
   */
  long subtotalWith(String sku, int quantity, long unitPrice) {
    long subtotal = Money.plusLine(0, unitPrice, quantity);
    for (CartLine line : lines) {
      if (!line.sku().equals(sku)) {
        subtotal = Money.plusLine(subtotal, line.unitPrice(), line.quantity());
      }
    }
    return subtotal;
  }
}
