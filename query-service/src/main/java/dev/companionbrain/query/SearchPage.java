package dev.companionbrain.query;

import java.util.List;

/**
 * A computed page of results, as cached (L1 object, L2 JSON).
 *
 * @param hits the page
 * @param generation index generation it was computed at
 * @param degraded retrievers skipped and why (degraded pages are not cached)
 * @param backendMillis time each retriever took
 */
public record SearchPage(List<PageHit> hits, long generation, List<Degradation> degraded,
    java.util.Map<String, Long> backendMillis) {

  /** A retriever that did not contribute, and why (timeout, error, circuit_open, overloaded). */
  public record Degradation(String retriever, String reason) {}

  /** Rough size in bytes, for the L1 weigher. */
  int weight() {
    int w = 200;
    for (PageHit h : hits) {
      w += 120 + 2 * (h.id().length() + len(h.title()) + len(h.url()) + len(h.snippet()) + len(h.updatedAt()));
      if (h.tags() != null) {
        for (String t : h.tags()) {
          w += 40 + 2 * t.length();
        }
      }
      if (h.explain() != null) {
        w += 100 * h.explain().size();
      }
    }
    return w;
  }

  private static int len(String s) {
    return s == null ? 0 : s.length();
  }
}
