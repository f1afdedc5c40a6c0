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
  /** With or without the document stream. */
  enum Kind {
    NONE,
    INGEST;

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
      throw new IllegalArgumentException("a pass is none or ingest, not " + option);
    }
  }

  CapacityPass {
    ladder = List.copyOf(ladder);
  }
}
