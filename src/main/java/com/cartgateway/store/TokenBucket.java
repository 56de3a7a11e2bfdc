package com.cartgateway.store;

/**
 * One token to take from a Redis token bucket ({@code token_bucket.lua}), alone or in the same
 * script as the command it guards.
 *
 * @param key the bucket's key ({@link RedisKeys#rateLimit})
 * @param rate tokens a second
 * @param burst the most tokens the bucket holds
 * @param nowMillis the gateway's clock, so that every process refills by the same time
 */
public record TokenBucket(String key, int rate, int burst, long nowMillis) {
  /** The bucket was empty: nothing was done, and a token is back after {@code waitMillis}. */
  public static final class EmptyException extends RuntimeException {
    private final long waitMillis;

    /**
     * @param waitMillis how long until a token is back
     */
    public EmptyException(long waitMillis) {
      // A refusal is an answer, not a fault: no stack trace to fill in on a hot path.
      super("no token for " + waitMillis + " ms", null, false, false);
      this.waitMillis = waitMillis;
    }

    /** How long until a token is back. */
    public long waitMillis() {
      return waitMillis;
    }
  }
}
