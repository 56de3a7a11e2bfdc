package com.cartgateway.store;

import com.cartgateway.config.AppConfig;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Values read from Redis, kept in this process's memory for as long as Redis says they have not
 * changed: Redis client-side caching in broadcast mode (RESP3 {@code CLIENT TRACKING ON BCAST}) on
 * one dedicated connection, which receives an invalidation for every change of a key under the
 * tracked prefix, by any process.
 *
 * <p>Three rules keep it from serving what Redis no longer holds:
 *
 * <ul>
 *   <li>A read that will fill the cache leaves a ticket first; an invalidation that arrives while
 *       the read is on its way removes the ticket, and the read then fills nothing.
 *   <li>A change this process makes through {@link RedisGateway} removes the key when Redis
 *       answers, before the caller can answer its client (read-your-writes without waiting for the
 *       broadcast).
 *   <li>The tracking connection proves itself: every {@value #BEAT_MILLIS} ms this process changes
 *       a beacon key that only it tracks and waits for that invalidation. Entries are served only
 *       within {@value #SILENCE_MILLIS} ms of a beacon sent and come back; a lost connection, a
 *       beacon that does not come back, or a flush of Redis drops every entry.
 * </ul>
 *
 * <p>Reads that are rate limited spend tokens leased from the reader's bucket in Redis (the read
 * that filled the entry asked for {@value #LEASE_TOKENS}), for at most {@value #LEASE_MILLIS} ms,
 * so the fleet-wide limit holds; when the lease is spent the next read goes to Redis again. Each
 * lease ends at a random point of its last quarter: leases filled together (after a drop of the
 * cache, a restart, or a crowd arriving at once) would otherwise end together every second, and
 * their readers' trips to Redis would come as one wave each time.
 *
 * <p>Standalone Redis only: in a cluster the tracking would need one connection per master, so it
 * is off there.
 *
 * <p>Longer than most classes here: the entries, the tracking connection, its proof by beacons and
 * the drop on a lost connection share state on one event loop, and each rule of staleness above
 * needs all of it.
 *
 * @param <V> what is kept for a key
 */
public final class NearCache<V> {
  private static final Logger LOG = Logger.getLogger(NearCache.class.getName());

  /** How often the tracking connection is proven. */
  static final long BEAT_MILLIS = 250;

  /** How long after a beacon was sent its proof holds. */
  static final long SILENCE_MILLIS = 1_000;

  /** Tokens a filling read asks for, one for itself and the rest for reads served from memory. */
  public static final int LEASE_TOKENS = 16;

  /** How long leased tokens may be spent, so that they follow the bucket's rate. */
  static final long LEASE_MILLIS = 1_000;

  /** The shortest lease: {@link #LEASE_MILLIS} less a random part of up to a quarter of it. */
  static final long SHORTEST_LEASE_MILLIS = LEASE_MILLIS * 3 / 4;

  private static final long RECONNECT_MILLIS = 1_000;

  /** The tracking connection's name in {@code CLIENT LIST}. */
  public static final String CONNECTION_NAME = "cart-gateway-near-cache";

  /**
   * A kept value, or (with a null value) a read's ticket to fill one. Compared by identity, so that
   * only the read whose ticket is still in place fills.
   */
  private static final class Slot<V> {
    private final V value;
    private final long generation;
    private final AtomicInteger tokens;
    private final long leaseUntil;

    /**
     * @param generation the cache's generation when the read began; a drop starts a new one
     * @param tokens leased tokens left
     * @param leaseUntil until when they may be spent
     */
    private Slot(V value, long generation, int tokens, long leaseUntil) {
      this.value = value;
      this.generation = generation;
      this.tokens = new AtomicInteger(tokens);
      this.leaseUntil = leaseUntil;
    }
  }

  /** A read's right to fill one key, unless the key changes before the read is back. */
  public static final class Ticket<V> {
    private final String key;
    private final Slot<V> slot;

    private Ticket(String key, Slot<V> slot) {
      this.key = key;
      this.slot = slot;
    }
  }

  private final Cache<String, Slot<V>> slots;
  private final String prefix;
  private final String beacon = "near:{" + UUID.randomUUID() + "}";
  private final AtomicLong generation = new AtomicLong();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder drops = new LongAdder();
  private volatile long liveUntil;

  // On the cache's own context:
  private Context context;
  private Vertx vertx;
  private RedisOptions trackingOptions;
  private Redis beacons;
  private Redis trackingClient;
  private RedisConnection tracking;
  private long beatSentAt = -1;
  private List<Promise<Void>> beatWaiters = new ArrayList<>();
  private List<Promise<Void>> nextBeatWaiters = new ArrayList<>();
  private volatile boolean closed;

  private NearCache(int entries, String prefix) {
    this.slots =
        entries == 0
            ? null
            // An entry no read needs is dropped after a while; invalidation keeps the rest right.
            : Caffeine.newBuilder()
                .maximumSize(entries)
                .expireAfterWrite(Duration.ofMinutes(1))
                .build();
    this.prefix = prefix;
  }

  /** A cache that keeps nothing: every read goes to Redis. */
  public static <V> NearCache<V> off() {
    return new NearCache<>(0, "");
  }

  /**
   * A cache of the keys under {@code prefix}, started on the configured Redis; off (keeping
   * nothing) when {@code entries} is 0 or Redis is a cluster.
   *
   * @param entries the most keys kept
   * @param prefix the keys tracked, which must include every key kept
   * @param name the metrics' name prefix
   */
  public static <V> NearCache<V> start(
      Vertx vertx,
      AppConfig.Redis config,
      int entries,
      String prefix,
      String name,
      MeterRegistry registry) {
    if (entries == 0 || config.cluster()) {
      return off();
    }
    NearCache<V> cache = new NearCache<>(entries, prefix);
    cache.metrics(name, registry);
    cache.vertx = vertx;
    cache.context = vertx.getOrCreateContext();
    cache.trackingOptions =
        new RedisOptions()
            .setConnectionString(config.endpoints().get(0))
            .setPreferredProtocolVersion(ProtocolVersion.RESP3);
    cache.beacons =
        Redis.createClient(
            vertx, new RedisOptions().setConnectionString(config.endpoints().get(0)));
    cache.context.runOnContext(
        v -> {
          cache.connect();
          vertx.setPeriodic(BEAT_MILLIS, id -> cache.beat());
        });
    return cache;
  }

  /**
   * The value kept for the key, if the cache may serve it now and it passes {@code usable}; for a
   * rate-limited read, only while a leased token is left, which it takes.
   */
  public V hit(String key, boolean limited, long nowMillis, Predicate<V> usable) {
    if (slots == null) {
      return null;
    }
    Slot<V> slot = nowMillis < liveUntil ? slots.getIfPresent(key) : null;
    if (slot == null
        || slot.value == null
        || slot.generation != generation.get()
        || !usable.test(slot.value)
        || (limited && (nowMillis >= slot.leaseUntil || slot.tokens.getAndDecrement() <= 0))) {
      misses.increment();
      return null;
    }
    hits.increment();
    return slot.value;
  }

  /** A ticket for a read about to go to Redis, or null when the cache may not be filled now. */
  public Ticket<V> begin(String key, long nowMillis) {
    if (slots == null || nowMillis >= liveUntil) {
      return null;
    }
    Slot<V> ticket = new Slot<>(null, generation.get(), 0, 0);
    // Replaces whatever was kept (a spent lease, another read's ticket): the newest read fills.
    slots.put(key, ticket);
    return new Ticket<>(key, ticket);
  }

  /**
   * Keeps what the ticket's read found, unless the key changed (or the cache was dropped) since the
   * ticket was taken.
   *
   * @param tokens leased tokens for later reads
   */
  public void fill(Ticket<V> ticket, V value, int tokens, long nowMillis) {
    if (ticket.slot.generation != generation.get()) {
      return;
    }
    slots
        .asMap()
        .replace(
            ticket.key,
            ticket.slot,
            new Slot<>(
                value,
                ticket.slot.generation,
                tokens,
                nowMillis
                    + ThreadLocalRandom.current()
                        .nextLong(SHORTEST_LEASE_MILLIS, LEASE_MILLIS + 1)));
  }

  /** Keys this process changed (or may have: the change's answer was lost): no longer served. */
  public void changed(List<String> keys) {
    if (slots != null) {
      keys.forEach(slots::invalidate);
    }
  }

  /**
   * Completes once the invalidations of every change Redis applied before this call have reached
   * the cache (a beacon sent after it came back); fails if the tracking connection is lost first.
   */
  public Future<Void> sync() {
    if (slots == null) {
      return Future.failedFuture(new IllegalStateException("the near cache is off"));
    }
    Promise<Void> synced = Promise.promise();
    context.runOnContext(v -> nextBeatWaiters.add(synced));
    return synced.future();
  }

  /** Stops tracking; nothing is served afterwards. */
  public void close() {
    if (slots == null || closed) {
      return;
    }
    closed = true;
    context.runOnContext(
        v -> {
          lost("closed");
          beacons.close();
        });
  }

  private void connect() {
    if (closed) {
      return;
    }
    // A client of its own, closed with its connection: a pooled connection would go back to the
    // pool still tracking.
    Redis client = Redis.createClient(vertx, trackingOptions);
    trackingClient = client;
    client
        .connect()
        .compose(
            connection ->
                connection
                    .handler(this::pushed)
                    .exceptionHandler(e -> lostOn(connection, "failed: " + e))
                    .endHandler(ended -> lostOn(connection, "closed by Redis"))
                    .send(Request.cmd(Command.CLIENT).arg("SETNAME").arg(CONNECTION_NAME))
                    .compose(
                        named ->
                            connection.send(
                                Request.cmd(Command.CLIENT)
                                    .arg("TRACKING")
                                    .arg("ON")
                                    .arg("BCAST")
                                    .arg("PREFIX")
                                    .arg(prefix)
                                    .arg("PREFIX")
                                    .arg(beacon)))
                    .map(connection))
        .onSuccess(
            connection -> {
              // No other command may go on this connection: the client would take an
              // invalidation that arrives meanwhile for that command's reply.
              tracking = connection;
              LOG.info("near cache tracking " + prefix + " keys");
              beat();
            })
        .onFailure(
            e -> {
              LOG.fine("near cache tracking not started: " + e);
              client.close();
              context.owner().setTimer(RECONNECT_MILLIS, id -> connect());
            });
  }

  private void pushed(Response push) {
    if (push == null || push.size() < 2 || !"invalidate".equals(push.get(0).toString())) {
      return;
    }
    Response keys = push.get(1);
    if (keys == null) {
      // Redis was flushed: every key is invalid.
      drop();
      return;
    }
    for (Response key : keys) {
      String name = key.toString();
      if (name.equals(beacon)) {
        beatBack();
      } else {
        slots.invalidate(name);
      }
    }
  }

  private void beat() {
    if (tracking == null) {
      return;
    }
    long now = System.currentTimeMillis();
    if (beatSentAt >= 0) {
      if (now - beatSentAt >= SILENCE_MILLIS) {
        lostOn(tracking, "no invalidation of the beacon for " + (now - beatSentAt) + " ms");
      }
      return;
    }
    beatSentAt = now;
    beatWaiters = nextBeatWaiters;
    nextBeatWaiters = new ArrayList<>();
    RedisConnection on = tracking;
    beacons
        .send(Request.cmd(Command.SET).arg(beacon).arg(now).arg("PX").arg(SILENCE_MILLIS * 4))
        .onFailure(e -> lostOn(on, "beacon not written: " + e));
  }

  private void beatBack() {
    if (beatSentAt < 0) {
      return;
    }
    liveUntil = beatSentAt + SILENCE_MILLIS;
    beatSentAt = -1;
    beatWaiters.forEach(Promise::tryComplete);
    beatWaiters = new ArrayList<>();
  }

  private void lostOn(RedisConnection connection, String reason) {
    if (connection == tracking) {
      lost(reason);
      if (!closed) {
        context.owner().setTimer(RECONNECT_MILLIS, id -> connect());
      }
    }
  }

  private void lost(String reason) {
    RedisConnection connection = tracking;
    tracking = null;
    beatSentAt = -1;
    drop();
    IllegalStateException failure = new IllegalStateException("near cache tracking " + reason);
    beatWaiters.forEach(w -> w.tryFail(failure));
    nextBeatWaiters.forEach(w -> w.tryFail(failure));
    beatWaiters = new ArrayList<>();
    nextBeatWaiters = new ArrayList<>();
    if (connection != null) {
      LOG.log(closed ? Level.FINE : Level.WARNING, "near cache dropped: tracking " + reason);
      trackingClient.close();
    }
  }

  /** Nothing kept may be served again, nor filled by a read that began before. */
  private void drop() {
    liveUntil = 0;
    generation.incrementAndGet();
    drops.increment();
    slots.invalidateAll();
  }

  private void metrics(String name, MeterRegistry registry) {
    FunctionCounter.builder(name + "_reads", hits, LongAdder::sum)
        .tag("result", "hit")
        .description("cart reads the near cache answered")
        .register(registry);
    FunctionCounter.builder(name + "_reads", misses, LongAdder::sum)
        .tag("result", "miss")
        .description("cart reads that went to Redis while the near cache was on")
        .register(registry);
    FunctionCounter.builder(name + "_drops", drops, LongAdder::sum)
        .description("times the near cache dropped every entry (tracking lost, Redis flushed)")
        .register(registry);
    Gauge.builder(name + "_live", this, c -> System.currentTimeMillis() < c.liveUntil ? 1 : 0)
        .description("1 while invalidations are proven to arrive, so the near cache serves")
        .register(registry);
  }
}
