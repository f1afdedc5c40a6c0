package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.core.cache.HydrationEntry;
import dev.companionbrain.core.search.FusionMethod;
import dev.companionbrain.core.search.Retriever;
import dev.companionbrain.core.search.ScoredId;
import dev.companionbrain.core.search.SearchDefaults;
import dev.companionbrain.core.search.SearchQuery;
import dev.companionbrain.core.search.Weights;
import dev.companionbrain.core.search.WindowQuery;
import dev.companionbrain.core.search.backend.Retrieval;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A window's hydration: whole for a window that is kept, the page's hits only for one answered once
 * ({@link WindowComputation#computePage}). Injected retrievals (twelve hits, doc-0 best) and an injected
 * source of display fields that records what it is asked: no engine.
 */
class WindowComputationTest {
  private static final SearchDefaults DEFAULTS = new SearchDefaults(FusionMethod.WEIGHTED,
      Weights.parse("text:1,keyword:1,vector:1"), Weights.parse("text:1,keyword:1,vector:1"));

  private final List<List<String>> asked = new ArrayList<>();
  private final AtomicInteger embedded = new AtomicInteger();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final QueryEmbeddings embeddings = new QueryEmbeddings(registry);
  private final WindowComputation computation;

  WindowComputationTest() {
    Map<Retriever, Retrieval> retrievals = new EnumMap<>(Retriever.class);
    Map<Retriever, Duration> timeouts = new EnumMap<>(Retriever.class);
    List<ScoredId> twelve = IntStream.range(0, 12).mapToObj(i -> new ScoredId("doc-" + i, 12 - i)).toList();
    for (Retriever r : Retriever.values()) {
      // a rare query's retrievers find three documents: fewer than they were asked for
      retrievals.put(r, request -> CompletableFuture.completedFuture(request.q().contains("rare") ? twelve.subList(0, 3) : twelve));
      timeouts.put(r, Duration.ofSeconds(5));
    }
    computation = new WindowComputation(new HybridSearcher(retrievals, timeouts, embeddings, ServedIndex.fixed(new FunctionEmbedder(384, t -> {
      embedded.incrementAndGet();
      return new float[384];
    })), 0, registry),
        ids -> {
          asked.add(ids);
          Map<String, HydrationEntry> fields = new HashMap<>();
          ids.forEach(id -> fields.put(id, new HydrationEntry(id, "title of " + id, null, List.of(), null, "snippet")));
          return fields;
        }, registry);
  }

  @AfterEach
  void close() {
    embeddings.close();
  }

  private static WindowQuery query(String mode) {
    return query("wing flutter", mode);
  }

  private static WindowQuery query(String q, String mode) {
    return SearchQuery.fromParams(Map.of("q", q, "mode", mode)::get, DEFAULTS).window(10);
  }

  private static List<String> ids(CandidateWindow w) {
    return w.hits().stream().map(PageHit::id).toList();
  }

  private static List<String> titled(CandidateWindow w) {
    return w.hits().stream().filter(h -> h.title() != null).map(PageHit::id).toList();
  }

  @Test
  void aKeptWindowHasEveryHitHydratedInOneAsk() {
    CandidateWindow w = computation.compute(query("hybrid"), 7, false);
    assertThat(w.generation()).isEqualTo(7);
    assertThat(ids(w)).hasSize(10).startsWith("doc-0", "doc-1");
    assertThat(asked).containsExactly(ids(w));
    assertThat(titled(w)).isEqualTo(ids(w));
    assertThat(w.hits().get(0).title()).isEqualTo("title of doc-0");
  }

  @Test
  void aWindowAnsweredOnceHasOnlyItsPagesHitsHydratedAndTheSameHitsInTheSameOrder() {
    CandidateWindow whole = computation.compute(query("hybrid"), 7, false);
    asked.clear();
    CandidateWindow page = computation.computePage(query("hybrid"), 7, 3, 4);
    assertThat(page.generation()).isEqualTo(7);
    assertThat(ids(page)).isEqualTo(ids(whole));
    assertThat(asked).containsExactly(ids(whole).subList(3, 7));
    assertThat(titled(page)).isEqualTo(ids(whole).subList(3, 7));
    assertThat(page.hits().get(0).score()).isEqualTo(whole.hits().get(0).score());
    assertThat(page.hits().get(0).explain()).isEqualTo(whole.hits().get(0).explain());
  }

  @Test
  void aPageAnsweredOnceComputesTheQueryEmbeddingAfresh() {
    computation.compute(query("vector"), 1, false);
    computation.compute(query("vector"), 1, false);
    assertThat(embedded).hasValue(1);
    computation.computePage(query("vector"), 1, 0, 10);
    assertThat(embedded).hasValue(2);
  }

  private long timed(String stage) {
    return registry.get(SearchStages.METER).tag("stage", stage).timer().count();
  }

  @Test
  void everyStageOfAComputationIsTimedOnceAndAnEmbeddingOnlyWhenComputed() {
    computation.compute(query("vector"), 1, false);
    assertThat(timed(SearchStages.FUSION)).isEqualTo(1);
    assertThat(timed(SearchStages.HYDRATION)).isEqualTo(1);
    assertThat(timed(SearchStages.EMBEDDING)).isEqualTo(1);
    computation.compute(query("vector"), 1, false); // the embedding cache has it
    assertThat(timed(SearchStages.EMBEDDING)).isEqualTo(1);
    assertThat(timed(SearchStages.FUSION)).isEqualTo(2);
    computation.computePage(query("vector"), 1, 10, 10); // nothing to hydrate
    assertThat(timed(SearchStages.HYDRATION)).isEqualTo(2);
    assertThat(timed(SearchStages.EMBEDDING)).isEqualTo(2);
    computation.computePage(query("text"), 1, 0, 10);
    assertThat(timed(SearchStages.HYDRATION)).isEqualTo(3);
    assertThat(timed(SearchStages.EMBEDDING)).isEqualTo(2);
  }

  @Test
  void theWindowKeepsEachRetrieversListAndWhetherItHoldsEveryMatch() {
    CandidateWindow full = computation.compute(query("hybrid"), 1, false);
    assertThat(full.lists()).containsOnlyKeys("text", "keyword", "vector");
    assertThat(full.lists().get("text").hits()).hasSize(12);
    assertThat(full.lists().get("text").complete()).isFalse(); // as many as asked (the window's 10): maybe more match
    assertThat(full.depth()).isEqualTo(10);
    CandidateWindow rare = computation.computePage(query("rare wing", "keyword"), 1, 0, 10);
    assertThat(rare.lists()).containsOnlyKeys("keyword");
    assertThat(rare.lists().get("keyword").complete()).isTrue();
    assertThat(ids(rare)).hasSize(3);
  }

  @Test
  void aStagesTimeIsItsOwnDuration() {
    computation.compute(query("vector"), 1, false);
    for (String stage : List.of(SearchStages.EMBEDDING, SearchStages.FUSION, SearchStages.HYDRATION)) {
      assertThat(registry.get(SearchStages.METER).tag("stage", stage).timer().totalTime(java.util.concurrent.TimeUnit.SECONDS))
          .as(stage).isLessThan(60);
    }
  }

  @Test
  void aPageCutAtTheWindowsEndHydratesWhatIsLeftAndAPagePastItAsksNothing() {
    CandidateWindow end = computation.computePage(query("hybrid"), 1, 8, 10);
    assertThat(asked).containsExactly(ids(end).subList(8, 10));
    asked.clear();
    CandidateWindow past = computation.computePage(query("hybrid"), 1, 10, 10);
    assertThat(asked).isEmpty();
    assertThat(titled(past)).isEmpty();
    assertThat(ids(past)).hasSize(10);
  }
}
