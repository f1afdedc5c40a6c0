package dev.companionbrain.query;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.companionbrain.core.search.ScoredId;
import java.util.List;
import java.util.Map;

/**
 * A request's fused candidate window, the unit both cache levels keep (L1 as this object, L2 as its
 * JSON, written and read by this one type): the top hits of the fused ranking with their display
 * fields and each retriever's part, independent of offset and k. Every page of a query is cut from
 * it, so at one generation pages never repeat or skip a hit.
 *
 * @param generation index generation it was computed at
 * @param hits the fused hits, best first, each with its {@link PageHit#explain() parts}
 * @param degraded retrievers skipped and why (degraded windows are not cached)
 * @param backendMillis time each retriever took
 * @param lists what the hits were fused from: each retriever's ranked list (by wire name), up to
 *     {@code depth} hits, so a new generation's changed documents can be judged against the window
 *     ({@link WindowJudge}); empty for a window that keeps none (then it is recomputed instead)
 * @param depth how many hits each retriever was asked for: the window's size and its reserve
 * @param indexVersion the version of the index every retriever searched ({@link ServedIndex}), or
 *     {@link dev.companionbrain.core.index.IndexVersions#SERVED} when it was not known
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CandidateWindow(long generation, List<PageHit> hits, List<Degradation> degraded, Map<String, Long> backendMillis,
    Map<String, RankedList> lists, int depth, Integer indexVersion) {

  /** A retriever that did not contribute, and why (timeout, error, circuit_open, overloaded). */
  public record Degradation(String retriever, String reason) {}

  /**
   * One retriever's ranked list, best first.
   *
   * @param complete whether it holds every match (the retriever returned fewer than it was asked
   *     for); otherwise a document scoring no better than its last hit may be missing from it
   */
  public record RankedList(List<ScoredId> hits, boolean complete) {
    public RankedList {
      hits = List.copyOf(hits);
    }
  }

  @com.fasterxml.jackson.annotation.JsonCreator
  public CandidateWindow {
    hits = List.copyOf(hits);
    degraded = degraded == null ? List.of() : List.copyOf(degraded);
    backendMillis = backendMillis == null ? Map.of() : Map.copyOf(backendMillis);
    lists = lists == null ? Map.of() : Map.copyOf(lists);
    indexVersion = indexVersion == null ? dev.companionbrain.core.index.IndexVersions.SERVED : indexVersion;
  }

  /** A window of an index whose version was not known. */
  public CandidateWindow(long generation, List<PageHit> hits, List<Degradation> degraded, Map<String, Long> backendMillis,
      Map<String, RankedList> lists, int depth) {
    this(generation, hits, degraded, backendMillis, lists, depth, null);
  }

  /** A window that keeps no ranked lists (it cannot be judged, only recomputed). */
  public CandidateWindow(long generation, List<PageHit> hits, List<Degradation> degraded, Map<String, Long> backendMillis) {
    this(generation, hits, degraded, backendMillis, Map.of(), 0);
  }

  /** The same window, valid at {@code newGeneration} (nothing a later generation changed touches it). */
  CandidateWindow carriedTo(long newGeneration) {
    return new CandidateWindow(newGeneration, hits, degraded, backendMillis, lists, depth, indexVersion);
  }

  /** The hits from {@code offset}, at most {@code k}: empty past the end of the window. */
  List<PageHit> page(int offset, int k) {
    return hits.subList(pageFrom(offset), pageTo(offset, k));
  }

  /** The index of a page's first hit in {@link #hits} (its size past the end of the window). */
  int pageFrom(int offset) {
    return Math.min(offset, hits.size());
  }

  /** The index after a page's last hit in {@link #hits}. */
  int pageTo(int offset, int k) {
    return Math.max(pageFrom(offset), Math.min(hits.size(), offset + k));
  }

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
    for (RankedList list : lists.values()) {
      for (ScoredId s : list.hits()) {
        w += 56 + 2 * s.id().length();
      }
    }
    return w;
  }

  private static int len(String s) {
    return s == null ? 0 : s.length();
  }
}
