package dev.companionbrain.query;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The per-request timers of computing a window, one meter for all of them:
 * {@code brain_search_stage_seconds{stage}}. With {@code brain_backend_latency} (each retriever's
 * wait) they say where an uncached answer's time goes.
 */
final class SearchStages {
  static final String METER = "brain_search_stage_seconds";
  /** The query's embedding, when it is computed (not when the embedding cache has it). */
  static final String EMBEDDING = "embedding";
  /** Fusing the retrievers' lists into the window's ranking. */
  static final String FUSION = "fusion";
  /** Reading the display fields of the hits that need them. */
  static final String HYDRATION = "hydration";
  /** Writing the hits' JSON an answer is cut from. */
  static final String SERIALISATION = "serialisation";

  private SearchStages() {}

  static Timer timer(MeterRegistry registry, String stage) {
    return Timer.builder(METER).description("time of one stage of computing a window (embedding, fusion, hydration, "
        + "serialisation)").tag("stage", stage).register(registry);
  }
}
