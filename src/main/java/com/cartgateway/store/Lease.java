package com.cartgateway.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;

/**
 * Leases: a key that one holder sets, if nobody holds it, for a limited time, so that one process
 * at a time does a piece of work (a checkout of a cart, a merge of a guest cart, a catalog
 * restore). Released by {@link Scripts#LEASE_RELEASE} (only by its holder) or {@link #drop}.
 */
public final class Lease {
  private Lease() {}

  /** Takes the lease {@code key} for {@code holder}; false when someone else holds it. */
  public static Future<Boolean> take(RedisGateway redis, String key, String holder, Duration time) {
    return redis
        .send(
            Request.cmd(Command.SET).arg(key).arg(holder).arg("NX").arg("PX").arg(time.toMillis()))
        .map(taken -> taken != null);
  }

  /** Removes the lease whoever holds it. */
  public static Future<Void> drop(RedisGateway redis, String key) {
    return redis.send(Request.cmd(Command.DEL).arg(key)).mapEmpty();
  }
}
