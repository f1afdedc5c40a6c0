package dev.companionbrain.bench;

import java.util.List;
import java.util.Locale;

/**
 * One pass of {@code brain bench capacity} on a fresh query service: its rate ladder, with the
 * freshness reference step before it when documents stream, and the step beyond the knee.
 *
 * @param reference the step with documents streaming and no search load (null without ingestion)
 * @param ladder the steps of {@code --rates}, in the order they ran
 * @param beyond the step at {@code --beyond-knee} × the knee (null when not run)
 */
record CapacityPass(Kind kind, CapacityStep reference, List<CapacityStep> ladder, CapacityStep beyond) {
  /**
   * With or without the document stream; {@code FIXED} streams too, on a service with the admission
   * of before issue #25 (computations at a fixed limit, the ceiling of the adaptive one, and nothing
   * served stale at the limit): the reference the {@code INGEST} pass is compared with. {@code YIELDING}
   * streams on a service started at a lower CPU priority ({@code nice -n} {@value #YIELDING_NICENESS}, the
   * local counterpart of compose's {@code cpu_shares}: the indexing's TaskManager weighs about twice the
   * service when both want a core).
   */
  enum Kind {
    NONE,
    INGEST,
    FIXED,
    YIELDING;

    /** {@code nice} 3: a CFS weight of 526 against 1024, the 1 : 2 of compose's cpu_shares 1024 : 2048. */
    static final int YIELDING_NICENESS = 3;

    /** Whether documents stream during the pass. */
    boolean ingests() {
      return this != NONE;
    }

    /** The CPU niceness the pass's query service starts with (0: as every other process of the stack). */
    int serviceNiceness() {
      return this == YIELDING ? YIELDING_NICENESS : 0;
    }

    /** The query service's settings of the pass, over the catalogue's. */
    java.util.Map<String, String> serviceSettings(int maxConcurrentSearches) {
      return this == FIXED ? java.util.Map.of(
          dev.companionbrain.core.config.Setting.COMPUTE_LIMIT.variable(), Integer.toString(maxConcurrentSearches),
          dev.companionbrain.core.config.Setting.SATURATED_MAX_STALENESS_MS.variable(), "0") : java.util.Map.of();
    }

    /** As {@code --passes} names it. */
    String option() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Kind of(String option) {
      for (Kind k : values()) {
        if (k.option().equals(option)) {
          return k;
        }
      }
      throw new IllegalArgumentException("a pass is none, ingest, fixed or yielding, not " + option);
    }
  }

  CapacityPass {
    ladder = List.copyOf(ladder);
  }
}
