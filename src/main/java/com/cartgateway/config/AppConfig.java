package com.cartgateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The whole validated configuration of one gateway process. Built only by {@link ConfigLoader}.
 *
 * @param roles the roles this process plays
 * @param http HTTP server settings
 * @param redis Redis connection settings
 * @param kafka Kafka producer and consumer settings
 * @param dynamoDb DynamoDB client settings
 * @param security secrets for identities
 * @param cart cart rules
 * @param rateLimit per-identity request rates
 * @param worker the write-behind worker's settings
 * @param logs how this process writes its logs
 * @param tracing where this process exports its spans, if anywhere
 */
public record AppConfig(
    Set<Role> roles,
    Http http,
    Redis redis,
    Kafka kafka,
    DynamoDb dynamoDb,
    Security security,
    Cart cart,
    RateLimit rateLimit,
    Worker worker,
    Logs logs,
    Tracing tracing) {

  /**
   * The longest a change applied in Redis may take to reach Kafka or fail: the Redis read of the
   * new state, then the producer's blocking time and its delivery timeout (both the delivery
   * timeout here), with a second of margin for clocks and queues. A rebuild after a Redis loss
   * waits it out.
   */
  public Duration publishWindow() {
    return redis.commandTimeout().plus(kafka.deliveryTimeout().multipliedBy(2)).plusSeconds(1);
  }

  /**
   * How long a change marked unpublished is left alone before the timer role republishes it: its
   * request's deadline, then the publish window (a publish may go on after the deadline), after
   * which a change in flight is done.
   */
  public Duration republishGrace() {
    return http.requestTimeout().plus(publishWindow());
  }

  /**
   * How long an abandonment sweep's claim on an idle period keeps other sweeps off. Writing the
   * event takes at most the producer's blocking time plus its delivery timeout (both the Kafka
   * delivery timeout), and the recovery announced before it as much again; a claim older than that
   * belongs to a sweep that died, and is taken over. At least 30 s: a late report costs little, and
   * a duplicate is what the lease is there to avoid.
   */
  public Duration claimLease() {
    Duration writes = kafka.deliveryTimeout().multipliedBy(4);
    Duration floor = Duration.ofSeconds(30);
    return writes.compareTo(floor) > 0 ? writes : floor;
  }

  /**
   * HTTP server settings.
   *
   * @param host the address the HTTP port binds to ({@code 0.0.0.0}: every interface)
   * @param port listening port
   * @param verticleInstances HTTP verticle instances in this process
   * @param requestTimeout deadline of one request, after which it answers 503
   * @param maxBodyBytes the largest accepted request body
   * @param trustedProxyHops proxies in front of the gateway (a CDN, a load balancer) whose {@code
   *     X-Forwarded-For} entries are trusted: the client address is the entry this many places from
   *     the right; 0 ignores the header
   * @param readyMaxLagEvents the most events of {@code cart.events} the worker group may have left
   *     to persist while {@code /health/ready} still answers 200; 0 means no bound
   * @param idleTimeout how long a connection may stay without any traffic before it is closed
   * @param headerTimeout how long a request head may take, from its first byte to its last
   * @param maxConnections the most open connections of this process's HTTP port
   */
  public record Http(
      String host,
      int port,
      int verticleInstances,
      Duration requestTimeout,
      int maxBodyBytes,
      int trustedProxyHops,
      long readyMaxLagEvents,
      Duration idleTimeout,
      Duration headerTimeout,
      int maxConnections) {}

  /**
   * Redis settings.
   *
   * @param endpoints one {@code redis://host:port} URL, or every seed node in cluster mode
   * @param cluster whether the endpoints name a Redis Cluster
   * @param poolSize connections each verticle may open
   * @param commandTimeout deadline of one command or script
   * @param waitReplicas replicas that must have each script's writes before it counts as done
   *     ({@code WAIT}, sent with the script), so that a failover never loses an acknowledged
   *     change: 1 in a cluster by default, always 0 on a single server
   * @param waitTimeout how long a script waits for them before it fails as unavailable
   */
  public record Redis(
      java.util.List<String> endpoints,
      boolean cluster,
      int poolSize,
      Duration commandTimeout,
      int waitReplicas,
      Duration waitTimeout) {}

  /**
   * Kafka settings.
   *
   * @param bootstrap bootstrap servers
   * @param deliveryTimeout how long a produce may take before the write answers 503
   */
  public record Kafka(String bootstrap, Duration deliveryTimeout) {}

  /**
   * DynamoDB settings.
   *
   * @param endpoint an endpoint override (DynamoDB Local); empty means AWS for the region
   * @param region the AWS region
   * @param cartsTable the table of durable carts
   * @param catalogTable the table of durable catalog entries and stock counters
   */
  public record DynamoDb(
      Optional<String> endpoint, String region, String cartsTable, String catalogTable) {}

  /**
   * Secrets.
   *
   * @param jwtSecret the HS256 key of user tokens, at least 32 bytes
   * @param adminToken the bearer token of the admin routes
   * @param sessionKeys the keys of guest session ids, each at least 32 bytes: the first signs new
   *     sessions, every one verifies (so that keys rotate with an overlap); empty: one key derived
   *     from the JWT secret
   * @param jwtIssuer the {@code iss} every user token must carry, if any
   * @param jwtAudience the {@code aud} every user token must name, if any
   */
  public record Security(
      String jwtSecret,
      String adminToken,
      List<String> sessionKeys,
      Optional<String> jwtIssuer,
      Optional<String> jwtAudience) {
    @Override
    public String toString() {
      return "Security[jwtSecret=***, adminToken=***, sessionKeys=***, jwtIssuer="
          + jwtIssuer
          + ", jwtAudience="
          + jwtAudience
          + "]";
    }
  }

  /**
   * Per-identity rate limits; bursts up to twice the rate; 0 turns a kind off.
   *
   * @param readsPerSecond reads a second
   * @param writesPerSecond writes a second
   */
  public record RateLimit(int readsPerSecond, int writesPerSecond) {}

  /**
   * Cart rules.
   *
   * @param reservationTtl how long a soft hold lasts after the last change of its line
   * @param maxLines distinct lines a cart may hold
   * @param maxQuantity units one line may hold
   * @param priceCacheTtl how long a catalog price may be served from this process's cache
   * @param holdSweepInterval how often the timer sweeps the expiry index for lapsed holds
   * @param holdCap units of one SKU one cart may hold, so no shopper starves the others
   * @param clientHoldCap units of one SKU the carts of one client address may hold together, so
   *     that many sessions from one client cannot hold a scarce SKU (0: no such cap)
   * @param mergePolicy how a SKU in both carts is resolved when a guest logs in
   * @param abandonAfter how long without a change by the shopper makes a cart abandoned
   * @param abandonSweepInterval how often the timer looks for abandoned carts
   * @param hotIdle how long Redis keeps a cart after its last change (the hot set); DynamoDB keeps
   *     it 30 days
   * @param bodyCacheBytes about the most memory this process keeps rendered cart bodies in
   * @param nearCacheEntries the most carts this process keeps copies of, served while Redis says
   *     they have not changed (0: every read goes to Redis)
   */
  public record Cart(
      Duration reservationTtl,
      int maxLines,
      int maxQuantity,
      Duration priceCacheTtl,
      Duration holdSweepInterval,
      int holdCap,
      int clientHoldCap,
      MergePolicy mergePolicy,
      Duration abandonAfter,
      Duration abandonSweepInterval,
      Duration hotIdle,
      long bodyCacheBytes,
      int nearCacheEntries) {}

  /**
   * Settings of the worker role, which drains {@code cart.events} into DynamoDB.
   *
   * @param groupId the Kafka consumer group of every worker process
   * @param maxPollRecords the most events one batch takes from Kafka
   * @param retryInitialDelay the first backoff after a failed write (doubling, full jitter)
   * @param retryMaxDelay the backoff cap; the worker retries for as long as DynamoDB refuses
   * @param shutdownGrace how long a stop waits for the batch in flight, then leaves it uncommitted
   */
  public record Worker(
      String groupId,
      int maxPollRecords,
      Duration retryInitialDelay,
      Duration retryMaxDelay,
      Duration shutdownGrace) {}

  /**
   * Logging settings.
   *
   * @param format the console format: one JSON object per line, or readable text
   */
  public record Logs(LogFormat format) {}

  /**
   * Span export settings.
   *
   * @param otlpEndpoint the OTLP/HTTP traces endpoint (such as {@code
   *     http://collector:4318/v1/traces}) spans are exported to; empty means no export
   * @param serviceName the {@code service.name} of the exported spans
   */
  public record Tracing(Optional<URI> otlpEndpoint, String serviceName) {}

  /** The console formats of the logs. */
  public enum LogFormat {
    /** One JSON object per line, for log shippers (the production default). */
    JSON,
    /** One readable line per event (the dev mode default). */
    TEXT;

    /** The name in {@code CART_LOG_FORMAT} and in {@code logback.xml}. */
    public String value() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
