package dev.companionbrain.query;

import dev.companionbrain.core.cache.HydrationEntry;
import dev.companionbrain.core.search.Contribution;
import dev.companionbrain.core.search.FusedHit;
import dev.companionbrain.core.search.Retriever;
import dev.companionbrain.core.search.WindowQuery;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Computes a candidate window: the hybrid search's fused hits, hydrated with their display fields. */
final class WindowComputation implements WindowCache.WindowSearch {
  private final HybridSearcher searcher;
  private final Function<List<String>, Map<String, HydrationEntry>> displayFields;
  private final Timer hydration;

  /**
   * @param displayFields the display fields of the ids it has (see {@link Hydrator#get})
   * @param registry where the time of each hydration goes ({@link SearchStages#HYDRATION})
   */
  WindowComputation(HybridSearcher searcher, Function<List<String>, Map<String, HydrationEntry>> displayFields,
      MeterRegistry registry) {
    this.searcher = searcher;
    this.displayFields = displayFields;
    this.hydration = SearchStages.timer(registry, SearchStages.HYDRATION);
  }

  @Override
  public CandidateWindow compute(WindowQuery query, long generation, boolean freshEmbedding) {
    HybridSearcher.Outcome outcome = searcher.search(query, freshEmbedding);
    return window(outcome, generation, hydrated(outcome.window().stream().map(FusedHit::id).toList()));
  }

  private Map<String, HydrationEntry> hydrated(List<String> ids) {
    long began = System.nanoTime();
    Map<String, HydrationEntry> fields = displayFields.apply(ids);
    hydration.record(System.nanoTime() - began, TimeUnit.NANOSECONDS);
    return fields;
  }

  /** Every fused hit, and display fields asked for the page's hits only (see {@link WindowCache.WindowSearch#computePage}). */
  @Override
  public CandidateWindow computePage(WindowQuery query, long generation, int offset, int k) {
    HybridSearcher.Outcome outcome = searcher.search(query, true);
    List<FusedHit> fused = outcome.window();
    int from = Math.min(offset, fused.size());
    int to = Math.max(from, Math.min(fused.size(), offset + k));
    return window(outcome, generation, from == to ? Map.of()
        : hydrated(fused.subList(from, to).stream().map(FusedHit::id).toList()));
  }

  static CandidateWindow window(HybridSearcher.Outcome outcome, long generation, Map<String, HydrationEntry> fields) {
    List<PageHit> hits = new ArrayList<>(outcome.window().size());
    for (FusedHit hit : outcome.window()) {
      hits.add(pageHit(hit, fields.get(hit.id())));
    }
    Map<String, CandidateWindow.RankedList> lists = new LinkedHashMap<>();
    outcome.lists().forEach((r, list) -> lists.put(r.wireName(),
        new CandidateWindow.RankedList(list, list.size() < outcome.depth())));
    return new CandidateWindow(generation, hits, outcome.degraded(), outcome.backendMillis(), lists, outcome.depth(),
        outcome.indexVersion());
  }

  /** A fused hit with its display fields ({@code fields} null: the id and scores only) and each retriever's part. */
  static PageHit pageHit(FusedHit hit, HydrationEntry f) {
    Map<String, PageHit.RetrieverPart> parts = new LinkedHashMap<>();
    for (Map.Entry<Retriever, Contribution> c : hit.contributions().entrySet()) {
      parts.put(c.getKey().wireName(),
          new PageHit.RetrieverPart(c.getValue().rank(), c.getValue().rawScore(), c.getValue().normalizedScore()));
    }
    return f == null
        ? new PageHit(hit.id(), hit.score(), null, null, null, null, null, parts)
        : new PageHit(hit.id(), hit.score(), f.title(), f.url(), f.tags(), f.updatedAt(), f.snippet(), parts);
  }
}
