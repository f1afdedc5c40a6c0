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
 * the background, at the same generation, and the two top-10s compared. Judged windows may differ
 * from a fresh computation (BM25 statistics drift as documents arrive; the vector search is
 * approximate), so this is what says by how much: {@code brain_cache_audits_total{result=same|differ}}
 * and the mean top-10 overlap {@code brain_cache_audit_top10_overlap}. An audit whose generation
 * moves on while it runs is {@code skipped}, as is one the audit's single thread has no room for.
 */
final class CacheAudit {
  /** The ids compared: a first page. */
  static final int TOP = 10;
  private final double rate;
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
   * @param random uniform in [0, 1)
   * @param currentGeneration the newest generation
   * @param search the fresh computation
   * @param executor runs the audits (small and bounded: a refused audit is skipped)
   */
  CacheAudit(double rate, DoubleSupplier random, LongSupplier currentGeneration, WindowCache.WindowSearch search,
      Executor executor, MeterRegistry registry) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("the audit rate must be in [0, 1], got " + rate);
    }
    this.rate = rate;
    this.random = random;
    this.currentGeneration = currentGeneration;
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

  /** Audits this cached answer with probability {@code rate}, in the background. */
  void sample(WindowQuery query, CandidateWindow cached) {
    if (rate <= 0 || random.getAsDouble() >= rate) {
      return;
    }
    try {
      executor.execute(() -> audit(query, cached));
    } catch (RejectedExecutionException e) {
      skipped.increment();
    }
  }

  /** Computes the window afresh and compares; skipped when the generation is not the cached one's before and after. */
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
    if (currentGeneration.getAsLong() != generation || !fresh.degraded().isEmpty()) {
      skipped.increment();
      return;
    }
    List<String> a = top(cached);
    List<String> b = top(fresh);
    (new HashSet<>(a).equals(new HashSet<>(b)) ? same : differ).increment();
    overlap.record(overlap(a, b));
  }

  private static List<String> top(CandidateWindow window) {
    return window.hits().stream().limit(TOP).map(PageHit::id).toList();
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
