package com.cartgateway.cart;

import com.cartgateway.identity.Owner;
import com.cartgateway.inventory.InventoryStore;
import com.cartgateway.store.TokenBucket;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;

/**
 * The line writes of a cart. Each one spans the cart's slot and the SKU's slot, so it is a short
 * sequence of single-slot scripts: holds are taken before the cart changes (and given back when the
 * cart refuses), and given back after the cart changes. A crash in between leaves at most a hold
 * without a line, which lapses with its TTL. Each write is journalled before it is acknowledged.
 */
public final class CartService {
  private final CartReads reads;
  private final LineWrites shared;
  private final AddLine adds;
  private final SetLine sets;

  /**
   * @param carts the cart store
   * @param writes the cart's line-write scripts
   * @param inventory the stock store
   * @param limits the cart limits
   * @param holdTtl how long a hold lasts after its line's last change
   * @param clock the time source
   * @param activity what follows each change (idle index, recovery announcements)
   * @param journal what makes each change durable before it is acknowledged
   * @param rebuilder what brings back a cart Redis lost before a write
   * @param refusedWriters the process's writers refused a token lately
   * @param reads what renders the answer to each write
   */
  public CartService(
      CartStore carts,
      CartWrites writes,
      InventoryStore inventory,
      CartStore.Limits limits,
      Duration holdTtl,
      Clock clock,
      CartActivity activity,
      CartJournal journal,
      CartRebuilder rebuilder,
      RefusedWriters refusedWriters,
      CartReads reads) {
    this.reads = reads;
    this.shared =
        new LineWrites(
            carts,
            writes,
            inventory,
            limits,
            holdTtl,
            clock,
            activity,
            journal,
            new WriteSteps(carts, inventory, rebuilder, holdTtl));
    this.adds = new AddLine(shared, refusedWriters);
    this.sets = new SetLine(shared);
  }

  /**
   * Adds units of a SKU, holding them first.
   *
   * <p>Two round trips before the Kafka send: the hold of {@code quantity} goes beside the cart's
   * first step (its token and lines), then the cart changes. The first step's lines decide only
   * whether the hold needs a correction (a line whose hold lapsed is held whole again), which is a
   * round trip of its own in that case alone.
   *
   * @param bucket the writer's rate-limit bucket on the cart's slot, taken from in the write's
   *     first round trip (a refusal fails with {@link TokenBucket.EmptyException}); null when the
   *     caller took its token already or writes are not limited
   * @param idempotencyKey the client's key, or null: the same key makes the same operation, so a
   *     retry after an answer that never arrived (or a 503 once the change applied) adds nothing
   *     more, while set, remove and clear are idempotent by their nature
   * @param client the caller's address: what its carts hold of the SKU together is capped
   */
  public Future<CartAnswer> add(
      Owner owner,
      TokenBucket bucket,
      String sku,
      int quantity,
      JsonObject variant,
      Long ifMatch,
      String idempotencyKey,
      String client) {
    return adds.add(owner, bucket, sku, quantity, variant, ifMatch, idempotencyKey, client)
        .compose(reads::written);
  }

  /**
   * Sets a line's quantity, holding or releasing the difference.
   *
   * @param bucket as for {@link #add}
   * @param client as for {@link #add}
   */
  public Future<CartAnswer> set(
      Owner owner, TokenBucket bucket, String sku, int quantity, Long ifMatch, String client) {
    return sets.set(owner, bucket, sku, quantity, ifMatch, client).compose(reads::written);
  }

  /**
   * Removes a line and releases its hold; removing an absent line changes nothing.
   *
   * @param bucket as for {@link #add}
   */
  public Future<CartAnswer> remove(Owner owner, TokenBucket bucket, String sku, Long ifMatch) {
    return removing(
        owner,
        bucket,
        (now, existing) -> shared.writes().remove(owner, sku, ifMatch, now, existing));
  }

  /**
   * Empties the cart and releases every hold.
   *
   * @param bucket as for {@link #add}
   */
  public Future<CartAnswer> clear(Owner owner, TokenBucket bucket, Long ifMatch) {
    return removing(
        owner, bucket, (now, existing) -> shared.writes().clear(owner, ifMatch, now, existing));
  }

  /** A cart script that removes lines, given the time and whether the cart exists. */
  private interface Removing {
    Future<CartWrites.Removal> apply(long now, boolean existing);
  }

  /** A write that removes lines, then gives their holds back. */
  private Future<CartAnswer> removing(Owner owner, TokenBucket bucket, Removing removal) {
    long now = shared.clock().millis();
    return shared
        .journal()
        .record(
            owner,
            shared.steps().begin(owner, bucket),
            before ->
                removal
                    .apply(now, before.version() > 0)
                    .compose(removed -> shared.steps().releaseAll(owner, removed, now)),
            cart -> cart,
            shared.activity()::changed)
        .compose(reads::written);
  }
}
