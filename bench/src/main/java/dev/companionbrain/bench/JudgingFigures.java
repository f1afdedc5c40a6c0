package dev.companionbrain.bench;

/**
 * What the query service's metrics say about one measured period (issue #18), from its {@code /metrics}
 * scraped at the start and at the end: how the generations of the period were judged, what became of
 * the cached windows at each, what judging cost, what the audit found, and the windows it computed.
 *
 * @param generations generations in the period (the notices the benchmark received in it)
 * @param judged generations whose changes the service used ({@code brain_cache_judged_generations_total{result="judged"}})
 * @param fallback generations that fell back to invalidating every window (too many changes, or none usable)
 * @param carried windows carried unchanged to a new generation
 * @param patched windows patched to a new generation
 * @param recompute windows judged to need a recomputation
 * @param recomputed windows the service recomputed ({@code brain_cache_refreshes_total{result="computed"}})
 * @param computed every window the service computed: L2 misses, refreshes and warmed windows
 * @param judgingSeconds wall time spent judging ({@code brain_cache_judging_seconds_sum})
 * @param judgingTimed judged generations timed ({@code brain_cache_judging_seconds_count})
 * @param judgingCpuSeconds CPU of the judging thread ({@code brain_cache_judging_cpu_seconds_total})
 * @param auditsSame audited cached answers whose top-10 ids equal a fresh computation's
 * @param auditsDiffer audited cached answers whose top-10 ids differ
 * @param auditsSkipped audits not made
 * @param overlapSum the sum of the audits' top-10 overlaps
 * @param overlapCount the audits that measured an overlap
 */
record JudgingFigures(long generations, double judged, double fallback, double carried, double patched, double recompute,
    double recomputed, double computed, double judgingSeconds, double judgingTimed, double judgingCpuSeconds,
    double auditsSame, double auditsDiffer, double auditsSkipped, double overlapSum, double overlapCount) {

  static JudgingFigures between(PrometheusText before, PrometheusText after, long generations) {
    return new JudgingFigures(generations,
        d(before, after, "brain_cache_judged_generations_total", "result", "judged"),
        d(before, after, "brain_cache_judged_generations_total", "result", "fallback"),
        d(before, after, "brain_cache_judged_windows_total", "result", "carried"),
        d(before, after, "brain_cache_judged_windows_total", "result", "patched"),
        d(before, after, "brain_cache_judged_windows_total", "result", "recompute"),
        d(before, after, "brain_cache_refreshes_total", "result", "computed"),
        d(before, after, "brain_cache_requests_total", "level", "l2", "result", "miss")
            + d(before, after, "brain_cache_refreshes_total", "result", "computed")
            + d(before, after, "brain_cache_warmed_total", "result", "computed"),
        d(before, after, "brain_cache_judging_seconds_sum"),
        d(before, after, "brain_cache_judging_seconds_count"),
        d(before, after, "brain_cache_judging_cpu_seconds_total"),
        d(before, after, "brain_cache_audits_total", "result", "same"),
        d(before, after, "brain_cache_audits_total", "result", "differ"),
        d(before, after, "brain_cache_audits_total", "result", "skipped"),
        d(before, after, "brain_cache_audit_top10_overlap_sum"),
        d(before, after, "brain_cache_audit_top10_overlap_count"));
  }

  private static double d(PrometheusText before, PrometheusText after, String name, String... labels) {
    return PrometheusText.delta(before, after, name, labels);
  }

  /** {@code n} per generation of the period; NaN without generations. */
  double perGeneration(double n) {
    return generations == 0 ? Double.NaN : n / generations;
  }

  /** Judging CPU per generation of the period, in ms; NaN without generations. */
  double judgingCpuMsPerGeneration() {
    return perGeneration(1000 * judgingCpuSeconds);
  }

  /** Mean wall time of one judged generation, in ms; NaN when none was timed. */
  double judgingWallMsPerJudged() {
    return judgingTimed == 0 ? Double.NaN : 1000 * judgingSeconds / judgingTimed;
  }

  /** Whether the service judged anything in the period (a service without judging exports none of it). */
  boolean judging() {
    return judged + fallback + carried + patched + recompute > 0;
  }

  /** Audited answers that differ, among those compared (same + differ); NaN with none. */
  double differShare() {
    double compared = auditsSame + auditsDiffer;
    return compared == 0 ? Double.NaN : auditsDiffer / compared;
  }

  /** The audits' mean top-10 overlap in [0, 1]; NaN with none. */
  double meanOverlap() {
    return overlapCount == 0 ? Double.NaN : overlapSum / overlapCount;
  }
}
