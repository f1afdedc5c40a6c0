package dev.companionbrain.query;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.FixedLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * How many window computations (the work that asks the engines: cache misses, no-cache searches,
 * refreshes, warming) run at once in this instance. An adaptive limit follows the computations'
 * measured latency (Netflix's gradient limit: it shrinks while their latency stands above its
 * long-run average, grows while it does not), between {@link #MIN_ADAPTIVE} and a ceiling; a fixed
 * one never moves. An answer that finds the limit reached is refused at once, before it asks any
 * engine (the caller then serves a stale window or a 429), so searches no longer slow each other down
 * until the engines' timeouts fire. Background work yields to answers: it starts only while less
 * than half the limit is taken.
 */
final class ComputeLimit {
  /** The least an adaptive limit falls to: one computation per core of a small machine. */
  static final int MIN_ADAPTIVE = 2;
  /** Where an adaptive limit starts. */
  static final int INITIAL_ADAPTIVE = 8;

  /** Who asks: an answer a client waits for, or background work (refreshes, warming) nobody waits for. */
  enum Priority { ANSWER, BACKGROUND }

  private final SimpleLimiter<Priority> limiter;
  private final String description;
  private final Counter refusedAnswers;
  private final Counter refusedBackground;

  private ComputeLimit(Limit limit, LongSupplier nanoClock, String description, MeterRegistry registry) {
    this.limiter = SimpleLimiter.newBuilder().named("computations").limit(limit).nanoClock(nanoClock).build();
    this.description = description;
    this.refusedAnswers = refused(registry, "answer");
    this.refusedBackground = refused(registry, "background");
    registry.gauge("brain_compute_limit", this, ComputeLimit::limit);
    registry.gauge("brain_compute_in_flight", this, ComputeLimit::inFlight);
  }

  private static Counter refused(MeterRegistry registry, String priority) {
    return Counter.builder("brain_compute_refused").description("window computations refused at the limit")
        .tag("priority", priority).register(registry);
  }

  /**
   * A limit that adapts to the computations' latency, from {@link #INITIAL_ADAPTIVE} within
   * [{@link #MIN_ADAPTIVE}, {@code ceiling}]; a ceiling below {@link #MIN_ADAPTIVE} leaves nothing to
   * adapt and is a fixed limit.
   */
  static ComputeLimit adaptive(int ceiling, LongSupplier nanoClock, MeterRegistry registry) {
    if (ceiling < MIN_ADAPTIVE) {
      return fixed(ceiling, registry);
    }
    Gradient2Limit limit = Gradient2Limit.newBuilder()
        .initialLimit(Math.min(INITIAL_ADAPTIVE, ceiling))
        .minLimit(MIN_ADAPTIVE)
        .maxConcurrency(ceiling)
        .queueSize(MIN_ADAPTIVE) // the growth allowed while latency holds: a core's worth each
        .build();
    return new ComputeLimit(limit, nanoClock, "adaptive, " + MIN_ADAPTIVE + " to " + ceiling, registry);
  }

  /** A limit of {@code limit} computations at once. */
  static ComputeLimit fixed(int limit, MeterRegistry registry) {
    if (limit < 1) {
      throw new IllegalArgumentException("a computation limit must be at least 1, got " + limit);
    }
    return new ComputeLimit(FixedLimit.of(limit), System::nanoTime, "fixed at " + limit, registry);
  }

  /**
   * Runs {@code computation} under a permit: its result, or empty when the limit is reached (for
   * background work: when half of it is). A computation that returns is a latency sample for the
   * limit; one that throws says nothing of the load (an invalid search, an engine down) and is none.
   */
  <T> Optional<T> run(Priority priority, Supplier<T> computation) {
    Optional<Limiter.Listener> permit = acquire(priority);
    if (permit.isEmpty()) {
      return Optional.empty();
    }
    T result;
    try {
      result = computation.get();
    } catch (RuntimeException e) {
      permit.get().onIgnore();
      throw e;
    }
    permit.get().onSuccess();
    return Optional.of(result);
  }

  /**
   * Whether background work would start now (less than half the limit taken): asked before work that
   * must not begin unless it can finish, e.g. claiming a refresh other instances then leave alone.
   */
  boolean backgroundMayStart() {
    return 2 * inFlight() < limit();
  }

  private Optional<Limiter.Listener> acquire(Priority priority) {
    if (priority == Priority.BACKGROUND && !backgroundMayStart()) {
      refusedBackground.increment();
      return Optional.empty();
    }
    Optional<Limiter.Listener> permit = limiter.acquire(priority);
    if (permit.isEmpty()) {
      (priority == Priority.ANSWER ? refusedAnswers : refusedBackground).increment();
    }
    return permit;
  }

  /** Computations allowed at once now. */
  int limit() {
    return limiter.getLimit();
  }

  /** Computations running now. */
  int inFlight() {
    return limiter.getInflight();
  }

  @Override
  public String toString() {
    return description;
  }
}
