package dev.companionbrain.query;

import dev.companionbrain.core.cache.HydrationEntry;
import dev.companionbrain.core.search.FusedHit;
import dev.companionbrain.core.search.Retriever;
import dev.companionbrain.core.search.ScoredId;
import dev.companionbrain.core.search.WindowQuery;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Judges a cached window against what the generations since it was computed changed, instead of
 * throwing it away: the window keeps each retriever's ranked list ({@link CandidateWindow#lists}),
 * so the changed documents can be taken out of those lists, put back with their new scores where
 * they now rank, and the lists fused again the way a fresh search fuses them ({@link
 * WindowQuery#fuse}). A retriever's list stays exact as long as every document scoring above its
 * last hit is known; that is why a window keeps a reserve past its size, and why a list that has
 * lost its reserve makes the window {@link Verdict#RECOMPUTE}.
 *
 * <p>Pure: the changed documents' scores and display fields come in as arguments.
 */
final class WindowJudge {
  /** What becomes of a window at a new generation. */
  enum Verdict {
    /** Nothing changed touches it: the same hits, valid at the new generation. */
    CARRIED,
    /** A changed document enters it, moves in it or leaves it: the hits a fresh search would give. */
    PATCHED,
    /** It cannot be patched exactly (no ranked lists, or a list ran out of reserve): compute it again. */
    RECOMPUTE
  }

  /** The verdict and, unless {@link Verdict#RECOMPUTE}, the window at the new generation. */
  record Judgement(Verdict verdict, CandidateWindow window) {}

  private static final Comparator<ScoredId> BEST_FIRST = Comparator.comparingDouble(ScoredId::score).reversed();

  private WindowJudge() {}

  /**
   * @param query the window's query
   * @param window the cached window
   * @param changes what changed since {@code window.generation()} up to {@code generation}
   * @param generation the generation the result is valid at
   * @param found for each retriever of the window, the upserted documents it finds for the query
   *     with their scores (its search restricted to the upserted ids); a retriever missing from the
   *     map found none
   * @param displayFields the display fields of the ids it has (asked for documents that enter the
   *     window or were updated)
   */
  static Judgement judge(WindowQuery query, CandidateWindow window, GenerationChanges changes, long generation,
      Map<Retriever, List<ScoredId>> found, Function<List<String>, Map<String, HydrationEntry>> displayFields) {
    if (window.lists().isEmpty() || !window.degraded().isEmpty()) {
      return new Judgement(Verdict.RECOMPUTE, null);
    }
    boolean changed = false;
    Map<Retriever, List<ScoredId>> lists = new EnumMap<>(Retriever.class);
    Map<String, CandidateWindow.RankedList> kept = new LinkedHashMap<>();
    for (Retriever r : query.retrievers()) {
      CandidateWindow.RankedList old = window.lists().get(r.wireName());
      if (old == null) {
        return new Judgement(Verdict.RECOMPUTE, null);
      }
      CandidateWindow.RankedList patched = patch(old, changes, found.getOrDefault(r, List.of()), window.depth());
      if ((!patched.complete() && patched.hits().size() < query.size())) {
        return new Judgement(Verdict.RECOMPUTE, null); // its reserve is spent: the next hits are unknown
      }
      changed |= !patched.hits().equals(old.hits());
      lists.put(r, patched.hits());
      kept.put(r.wireName(), patched);
    }
    boolean updatedHit = window.hits().stream().anyMatch(h -> changes.upserted().contains(h.id()));
    if (!changed && !updatedHit) {
      return new Judgement(Verdict.CARRIED, window.carriedTo(generation));
    }
    List<FusedHit> fused = query.fuse(lists);
    Map<String, PageHit> before = new HashMap<>();
    window.hits().forEach(h -> before.put(h.id(), h));
    List<String> unknown = new ArrayList<>();
    for (FusedHit hit : fused) {
      if (changes.upserted().contains(hit.id()) || !before.containsKey(hit.id())) {
        unknown.add(hit.id());
      }
    }
    Map<String, HydrationEntry> fields = unknown.isEmpty() ? Map.of() : displayFields.apply(unknown);
    List<PageHit> hits = new ArrayList<>(fused.size());
    for (FusedHit hit : fused) {
      PageHit old = before.get(hit.id());
      HydrationEntry f = fields.get(hit.id());
      hits.add(f != null || old == null || changes.upserted().contains(hit.id())
          ? WindowComputation.pageHit(hit, f)
          : WindowComputation.pageHit(hit, null).withFieldsOf(old));
    }
    return new Judgement(Verdict.PATCHED,
        new CandidateWindow(generation, hits, List.of(), window.backendMillis(), kept, window.depth(), window.indexVersion()));
  }

  /**
   * One retriever's list after the changes: changed documents out, the upserted ones it found back
   * in where they rank. Of an incomplete list only documents scoring above its last hit are known
   * to rank where they land (below it, unknown documents may come first), so only those enter it.
   * Cut to {@code depth}.
   */
  static CandidateWindow.RankedList patch(CandidateWindow.RankedList old, GenerationChanges changes,
      List<ScoredId> found, int depth) {
    List<ScoredId> hits = new ArrayList<>(old.hits().size() + found.size());
    for (ScoredId s : old.hits()) {
      if (!changes.touches(s.id())) {
        hits.add(s);
      }
    }
    double floor = old.complete() || old.hits().isEmpty() ? Double.NEGATIVE_INFINITY
        : old.hits().get(old.hits().size() - 1).score();
    for (ScoredId s : found) {
      if (changes.upserted().contains(s.id()) && s.score() > floor) {
        hits.add(s);
      }
    }
    hits.sort(BEST_FIRST); // stable: among equal scores the hits already there stay first
    if (depth > 0 && hits.size() > depth) {
      return new CandidateWindow.RankedList(hits.subList(0, depth), false);
    }
    return new CandidateWindow.RankedList(hits, old.complete());
  }
}
