package dev.companionbrain.query;

import dev.companionbrain.core.search.WindowQuery;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Measures how exact the cache is: a sample of the current cached answers is computed afresh in
 * the background and the two top-10s compared. Judged windows may differ from a fresh computation
 * (BM25 statistics drift as documents arrive; the vector search is approximate; Meilisearch scores
 * a filtered search a little lower), so this is what says by how much: {@code
 * brain_cache_audits_total{result=same|differ}} and the mean top-10 overlap {@code
 * brain_cache_audit_top10_overlap}.
 *
 * <p>At the same generation: the engines already show documents of the next generations before
 * those are announced (a refresh, a finished Meilisearch task), and cannot be asked for the past.
 * So an audit waits until the two generations after its own are known, and compares both lists
 * without the documents those changed: what is left is what the cached answer's generation holds.
 * An audit whose answer is not of the newest generation, whose later changes are not listed, or
 * that the audit's thread has no room for is {@code skipped}. When no newer generation comes (no
 * ingestion) an audit is compared as it is after {@link #SETTLE_MILLIS}.
 */
final class CacheAudit {
  /** The ids compared: a first page. */
  static final int TOP = 10;
  /** How many generations after its own an audit waits for: the engines run at most this far ahead. */
  static final int AHEAD = 2;
  /** How long an audit waits for those generations before it is compared as it is. */
  static final long SETTLE_MILLIS = 10_000;
  /** Audits waiting for their later generations; past this many, new ones are skipped. */
  static final int MAX_PENDING = 64;

  /** A fresh computation waiting for the changes of the generations after its own. */
  private record Pending(long generation, List<String> cached, List<String> fresh, long computedAt) {}

  private final java.util.concurrent.ConcurrentLinkedQueue<Pending> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.function.BiFunction<Long, Long, java.util.Optional<GenerationChanges>> changes;
  private final LongSupplier clock;
  private final double rate;
  /** The least time between two audits, ms. */
  private final long intervalMillis;
  /** When the next audit may start, epoch ms. */
  private final java.util.concurrent.atomic.AtomicLong nextAuditAt = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);
  private final DoubleSupplier random;
  private final LongSupplier currentGeneration;
  private final WindowCache.WindowSearch search;
  private final Executor executor;
  private final Counter same;
  private final Counter differ;
  private final Counter skipped;
  private final DistributionSummary overlap;

  /**
   * @param rate share of the cached answers audited, in [0, 1]
   * @param perSecond the most audits started per second, at least 1: each is a computation on the
   *     engines, and a share of thousands of cached answers a second would keep the auditor always busy
   * @param random uniform in [0, 1)
   * @param currentGeneration the newest generation
   * @param changes what the generations after the first up to the second changed, when known
   * @param clock epoch milliseconds
   * @param search the fresh computation
   * @param executor runs the audits (small and bounded: a refused audit is skipped)
   */
  CacheAudit(double rate, int perSecond, DoubleSupplier random, LongSupplier currentGeneration,
      java.util.function.BiFunction<Long, Long, java.util.Optional<GenerationChanges>> changes, LongSupplier clock,
      WindowCache.WindowSearch search, Executor executor, MeterRegistry registry) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("the audit rate must be in [0, 1], got " + rate);
    }
    if (perSecond < 1) {
      throw new IllegalArgumentException("at least one audit a second, got " + perSecond);
    }
    this.rate = rate;
    this.intervalMillis = 1000 / perSecond;
    this.random = random;
    this.currentGeneration = currentGeneration;
    this.changes = changes;
    this.clock = clock;
    this.search = search;
    this.executor = executor;
    String name = "brain_cache_audits";
    String what = "cached answers computed afresh at the same generation: same or different top-10 ids (as sets)";
    same = Counter.builder(name).description(what).tag("result", "same").register(registry);
    differ = Counter.builder(name).description(what).tag("result", "differ").register(registry);
    skipped = Counter.builder(name).description(what).tag("result", "skipped").register(registry);
    overlap = DistributionSummary.builder("brain_cache_audit_top10_overlap")
        .description("share of a cached answer's top-10 ids that a fresh computation at the same generation has too")
        .register(registry);
  }

  /**
   * Audits this cached answer with probability {@code rate}, in the background, unless an audit
   * started less than a {@code perSecond}'th of a second ago (such a sample is not taken, and not
   * counted).
   */
  void sample(WindowQuery query, CandidateWindow cached) {
    if (rate <= 0 || random.getAsDouble() >= rate) {
      return;
    }
    long now = clock.getAsLong();
    long next = nextAuditAt.get();
    if (now < next || !nextAuditAt.compareAndSet(next, now + intervalMillis)) {
      return;
    }
    // waiting audits are compared at each new generation; without one they are looked at here, on
    // the sampled answers only (not every cached answer walks the queue)
    settle(currentGeneration.getAsLong());
    if (pending.size() >= MAX_PENDING) {
      skipped.increment();
      return;
    }
    try {
      executor.execute(() -> audit(query, cached));
    } catch (RejectedExecutionException e) {
      skipped.increment();
    }
  }

  /** Computes the window afresh; it is compared once the generations after the cached one are known ({@link #settle}). */
  void audit(WindowQuery query, CandidateWindow cached) {
    long generation = cached.generation();
    if (currentGeneration.getAsLong() != generation) {
      skipped.increment();
      return;
    }
    CandidateWindow fresh;
    try {
      fresh = search.compute(query, generation, false);
    } catch (RuntimeException e) {
      skipped.increment();
      return;
    }
    if (!fresh.degraded().isEmpty()) {
      skipped.increment();
      return;
    }
    pending.add(new Pending(generation, ids(cached), ids(fresh), clock.getAsLong()));
    settle(currentGeneration.getAsLong());
  }

  /**
   * Compares the audits whose later generations are known at {@code newest} (or that waited {@link
   * #SETTLE_MILLIS} at their own generation); called at each new generation and each sampled answer.
   */
  void settle(long newest) {
    long now = clock.getAsLong();
    for (Pending p : pending) {
      boolean ahead = newest >= p.generation() + AHEAD;
      boolean waitedAlone = newest == p.generation() && now - p.computedAt() >= SETTLE_MILLIS;
      if (!ahead && !waitedAlone && newest >= p.generation()) {
        continue;
      }
      if (!pending.remove(p)) {
        continue; // another thread compares it
      }
      java.util.Optional<GenerationChanges> later = waitedAlone ? java.util.Optional.of(GenerationChanges.NONE)
          : ahead ? changes.apply(p.generation(), p.generation() + AHEAD) : java.util.Optional.empty();
      if (later.isEmpty()) {
        skipped.increment();
        continue;
      }
      List<String> a = top(p.cached(), later.get());
      List<String> b = top(p.fresh(), later.get());
      (new HashSet<>(a).equals(new HashSet<>(b)) ? same : differ).increment();
      overlap.record(overlap(a, b));
    }
  }

  private static List<String> ids(CandidateWindow window) {
    return window.hits().stream().map(PageHit::id).toList();
  }

  /** The first {@link #TOP} ids that the later generations did not change. */
  private static List<String> top(List<String> ids, GenerationChanges later) {
    return ids.stream().filter(id -> !later.touches(id)).limit(TOP).toList();
  }

  /** The share of ids two top lists have in common, over the longer one (1 when both are empty). */
  static double overlap(List<String> a, List<String> b) {
    int longer = Math.max(a.size(), b.size());
    if (longer == 0) {
      return 1;
    }
    Set<String> common = new HashSet<>(a);
    common.retainAll(new HashSet<>(b));
    return (double) common.size() / longer;
  }
}
