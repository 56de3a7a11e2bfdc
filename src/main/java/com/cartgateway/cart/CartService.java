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
  private final CartWrites writes;
  private final Clock clock;
  private final CartActivity activity;
  private final CartJournal journal;
  private final WriteSteps steps;
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
      RefusedWriters refusedWriters) {
    this.writes = writes;
    this.clock = clock;
    this.activity = activity;
    this.journal = journal;
    this.steps = new WriteSteps(carts, inventory, rebuilder, holdTtl);
    this.adds =
        new AddLine(
            writes, inventory, limits, holdTtl, clock, activity, journal, refusedWriters, steps);
    this.sets =
        new SetLine(carts, writes, inventory, limits, holdTtl, clock, activity, journal, steps);
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
   */
  public Future<Cart> add(
      Owner owner,
      TokenBucket bucket,
      String sku,
      int quantity,
      JsonObject variant,
      Long ifMatch,
      String idempotencyKey) {
    return adds.add(owner, bucket, sku, quantity, variant, ifMatch, idempotencyKey);
  }

  /**
   * Sets a line's quantity, holding or releasing the difference.
   *
   * @param bucket as for {@link #add}
   */
  public Future<Cart> set(Owner owner, TokenBucket bucket, String sku, int quantity, Long ifMatch) {
    return sets.set(owner, bucket, sku, quantity, ifMatch);
  }

  /**
   * Removes a line and releases its hold; removing an absent line changes nothing.
   *
   * @param bucket as for {@link #add}
   */
  public Future<Cart> remove(Owner owner, TokenBucket bucket, String sku, Long ifMatch) {
    long now = clock.millis();
    return journal.record(
        owner,
        steps.begin(owner, bucket),
        before ->
            writes
                .remove(owner, sku, ifMatch, now, before.version() > 0)
                .compose(r -> steps.releaseAll(owner, r, now)),
        cart -> cart,
        activity::changed);
  }

  /**
   * Empties the cart and releases every hold.
   *
   * @param bucket as for {@link #add}
   */
  public Future<Cart> clear(Owner owner, TokenBucket bucket, Long ifMatch) {
    long now = clock.millis();
    return journal.record(
        owner,
        steps.begin(owner, bucket),
        before ->
            writes
                .clear(owner, ifMatch, now, before.version() > 0)
                .compose(r -> steps.releaseAll(owner, r, now)),
        cart -> cart,
        activity::changed);
  }
}
