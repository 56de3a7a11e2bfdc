package com.cartgateway.circuit;

import com.cartgateway.trace.Traces;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The circuit breakers of one process: {@code redis}, {@code kafka} and {@code dynamodb}, one
 * Resilience4j breaker each, shared by every verticle and role of the process. A breaker is only
 * asked for permission before a call and told its outcome after, on whatever thread the call
 * completes (lock-free, no task of its own): Vert.x's breaker completed every call through a task
 * on the caller's context, a tenth of an add's event loop for its seven Redis commands. While a
 * circuit is open its calls fail at once, without reaching the service; after a pause one call
 * tries the service again (half-open), and its success closes the circuit.
 *
 * <p>One breaker per service and process, not one per verticle: every verticle then fails fast from
 * the same moment, and the state is the process's. It is exported as the gauge {@code
 * cart_circuit_state{circuit}} (0 closed, 1 half-open, 2 open); each change is counted in {@code
 * cart_circuit_transitions_total{circuit,state}} (state {@code closed}, {@code half_open}, {@code
 * open}: the state entered) and logged once, WARN on open, INFO otherwise.
 *
 * <p>No breaker has a timeout of its own: each call is bounded by its client's deadline, and an
 * outcome the breaker cut short would be reported as a failure while the call might still apply.
 */
public final class Circuits implements Shareable {
  /** The Redis circuit. */
  public static final String REDIS = "redis";

  /** The Kafka circuit (the producer, and the readiness check of the cluster). */
  public static final String KAFKA = "kafka";

  /**
   * The DynamoDB circuit (the reads of rebuilds and of the catalog restore, the readiness check of
   * the table). The worker's writes keep their own retries with backoff: it has nowhere else to put
   * an event, so it never gives up, and failing its attempts at once would only spin.
   */
  public static final String DYNAMODB = "dynamodb";

  /** Every circuit. */
  public static final List<String> ALL = List.of(REDIS, KAFKA, DYNAMODB);

  /** The state of a closed circuit, as the gauge shows it. */
  public static final int CLOSED = 0;

  /** The state of a half-open circuit (one call tries the service), as the gauge shows it. */
  public static final int HALF_OPEN = 1;

  /** The state of an open circuit (calls fail at once), as the gauge shows it. */
  public static final int OPEN = 2;

  private static final Logger LOG = Logger.getLogger(Circuits.class.getName());
  private static final String LOCAL_MAP = Circuits.class.getName();
  private static final String PROCESS_KEY = "process";

  /**
   * Failed calls that open a circuit (half of the last twice as many calls; judged by calls, not
   * time, so that a busy process opens as soon as a quiet one), and how long it stays open before
   * one call may try the service again. A Redis failure takes a command deadline (2 s by default),
   * a Kafka one a delivery timeout (4 s): hence fewer failures and a longer pause for Kafka and
   * DynamoDB.
   */
  private static final Map<String, CircuitBreakerConfig> OPTIONS =
      Map.of(
          REDIS, options(10, 1_000),
          KAFKA, options(5, 2_000),
          DYNAMODB, options(5, 2_000));

  private final Map<String, CircuitBreaker> breakers = new HashMap<>();
  // Each circuit's state as its breaker's handlers report it; read without the breaker's lock.
  private final Map<String, AtomicInteger> states = new HashMap<>();
  private final Map<String, AtomicLong> openedAt = new HashMap<>();
  private final Map<String, Map<Integer, Counter>> transitions = new HashMap<>();

  private Circuits(MeterRegistry registry) {
    for (String circuit : ALL) {
      AtomicInteger state = new AtomicInteger(CLOSED);
      states.put(circuit, state);
      openedAt.put(circuit, new AtomicLong());
      Gauge.builder("cart_circuit_state", state, AtomicInteger::get)
          .tag("circuit", circuit)
          .description("State of the circuit in this process: 0 closed, 1 half-open, 2 open")
          .register(registry);
      Map<Integer, Counter> counters = new HashMap<>();
      for (int level = CLOSED; level <= OPEN; level++) {
        counters.put(
            level,
            Counter.builder("cart_circuit_transitions")
                .tag("circuit", circuit)
                .tag("state", name(level))
                .description("Changes of the circuit's state in this process, by the state entered")
                .register(registry));
      }
      transitions.put(circuit, counters);
      // No event consumer: with one, the breaker would make an event (and read the zoned time)
      // for every call; its state is looked at after each permission and outcome instead.
      breakers.put(circuit, CircuitBreaker.of(circuit, OPTIONS.get(circuit)));
    }
  }

  /**
   * The process's circuits, exporting to {@code registry}: made once a Vert.x instance, by the
   * application at its start, so that every circuit's meters exist before any role uses one.
   */
  public static Circuits forProcess(Vertx vertx, MeterRegistry registry) {
    LocalMap<String, Circuits> map = vertx.sharedData().getLocalMap(LOCAL_MAP);
    return map.computeIfAbsent(PROCESS_KEY, key -> new Circuits(registry));
  }

  /**
   * The circuits of the process that {@code vertx} runs; on a Vert.x instance that the application
   * did not start (a tool, a test), circuits whose metrics go nowhere.
   */
  public static Circuits of(Vertx vertx) {
    return forProcess(vertx, new SimpleMeterRegistry());
  }

  /**
   * Makes a call through the circuit: at once a failure ({@link CallNotPermittedException}) while
   * the circuit refuses it ({@link #refuses}, or the breaker grants no permission), else the call's
   * outcome, counted by the breaker.
   */
  public <T> Future<T> call(String circuit, Supplier<Future<T>> call) {
    CircuitBreaker breaker = breakers.get(circuit);
    if (refuses(circuit)) {
      return Future.failedFuture(
          CallNotPermittedException.createCallNotPermittedException(breaker));
    }
    boolean permitted = breaker.tryAcquirePermission();
    observe(circuit, breaker);
    if (!permitted) {
      return Future.failedFuture(
          CallNotPermittedException.createCallNotPermittedException(breaker));
    }
    long started = System.nanoTime();
    Future<T> outcome;
    try {
      outcome = call.get();
    } catch (RuntimeException e) {
      breaker.onError(System.nanoTime() - started, TimeUnit.NANOSECONDS, e);
      observe(circuit, breaker);
      return Future.failedFuture(e);
    }
    return outcome.andThen(
        done -> {
          long took = System.nanoTime() - started;
          if (done.succeeded()) {
            breaker.onSuccess(took, TimeUnit.NANOSECONDS);
          } else {
            breaker.onError(took, TimeUnit.NANOSECONDS, done.cause());
          }
          observe(circuit, breaker);
        });
  }

  /** Reports the breaker's state when it is not the one last reported. */
  private void observe(String circuit, CircuitBreaker breaker) {
    int now =
        switch (breaker.getState()) {
          case CLOSED -> CLOSED;
          case HALF_OPEN -> HALF_OPEN;
          default -> OPEN;
        };
    if (states.get(circuit).get() != now) {
      changed(circuit, now);
    }
  }

  /**
   * Whether a call made here now would fail at once: for a caller serving an HTTP request, while
   * the circuit is not closed; for background work, while it is open and its pause is not over. A
   * request never waits on the one trial call of a half-open circuit, which may hang for the
   * client's whole deadline; background work (the readiness checks, the epoch watch, the timer
   * role's sweeps) makes it instead. A request is known by the trace span that every request keeps
   * on its context ({@link Traces#current}).
   */
  public boolean refuses(String circuit) {
    int state = state(circuit);
    if (state == CLOSED) {
      return false;
    }
    // Past the pause, the breaker lets the next caller's permission request make the trial.
    return Traces.current() != null
        || state == OPEN
            && System.nanoTime() - openedAt.get(circuit).get()
                < OPTIONS.get(circuit).getWaitIntervalFunctionInOpenState().apply(1) * 1_000_000;
  }

  /** {@link #CLOSED}, {@link #HALF_OPEN} or {@link #OPEN}. */
  public int state(String circuit) {
    return states.get(circuit).get();
  }

  /** The state's name, as the metrics and the readiness body show it. */
  public static String name(int state) {
    return switch (state) {
      case CLOSED -> "closed";
      case HALF_OPEN -> "half_open";
      default -> "open";
    };
  }

  /** Counts and logs a change of state, once (callers on two threads may both see it). */
  private void changed(String circuit, int state) {
    if (state == OPEN) {
      openedAt.get(circuit).set(System.nanoTime());
    }
    if (states.get(circuit).getAndSet(state) == state) {
      return;
    }
    transitions.get(circuit).get(state).increment();
    LOG.log(
        state == OPEN ? Level.WARNING : Level.INFO,
        "circuit "
            + circuit
            + " "
            + name(state)
            + switch (state) {
              case OPEN -> ": its calls fail at once until a trial call succeeds";
              case HALF_OPEN -> ": the next call tries the service";
              default -> ": the service answers again";
            });
  }

  private static CircuitBreakerConfig options(int failures, long openMillis) {
    return CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(2 * failures)
        .minimumNumberOfCalls(failures)
        .failureRateThreshold(50)
        .waitDurationInOpenState(Duration.ofMillis(openMillis))
        // Left open until a call asks after the pause: requests never ask a circuit not closed.
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .permittedNumberOfCallsInHalfOpenState(1)
        // A refusal is an answer, not a fault: no stack trace for each of them during an outage.
        .writableStackTraceEnabled(false)
        .build();
  }
}
