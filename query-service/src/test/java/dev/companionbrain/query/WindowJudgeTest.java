package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.core.cache.HydrationEntry;
import dev.companionbrain.core.search.FusionMethod;
import dev.companionbrain.core.search.Retriever;
import dev.companionbrain.core.search.ScoredId;
import dev.companionbrain.core.search.SearchMode;
import dev.companionbrain.core.search.Weights;
import dev.companionbrain.core.search.WindowQuery;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The judge against the truth: an index held in memory (each retriever's score of each document it
 * matches), a window computed from it the way a search computes one, changes applied to the index,
 * and the judged window compared with a window computed afresh from the changed index. Whenever the
 * judge carries or patches, its window must be the fresh one; it may only give up (recompute) when a
 * list ran out of reserve.
 */
class WindowJudgeTest {
  private static final int SIZE = 10;
  private static final int DEPTH = 14;

  /** Each retriever's score of each document it finds; a document absent from a retriever's map is not found by it. */
  private static final class Index {
    final Map<Retriever, Map<String, Double>> scores = new EnumMap<>(Retriever.class);
    final Map<String, String> titles = new HashMap<>();

    Index() {
      for (Retriever r : Retriever.values()) {
        scores.put(r, new HashMap<>());
      }
    }

    Index copy() {
      Index c = new Index();
      scores.forEach((r, m) -> c.scores.get(r).putAll(m));
      c.titles.putAll(titles);
      return c;
    }

    void put(String id, String title, Map<Retriever, Double> byRetriever) {
      delete(id);
      titles.put(id, title);
      byRetriever.forEach((r, s) -> scores.get(r).put(id, s));
    }

    void delete(String id) {
      titles.remove(id);
      scores.values().forEach(m -> m.remove(id));
    }

    /** A retriever's ranked list, at most {@code limit}, among {@code only} when not null. */
    List<ScoredId> search(Retriever r, int limit, Set<String> only) {
      return scores.get(r).entrySet().stream()
          .filter(e -> only == null || only.contains(e.getKey()))
          .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
          .limit(limit)
          .map(e -> new ScoredId(e.getKey(), e.getValue()))
          .toList();
    }

    CandidateWindow window(WindowQuery query, long generation) {
      Map<Retriever, List<ScoredId>> lists = new EnumMap<>(Retriever.class);
      for (Retriever r : query.retrievers()) {
        lists.put(r, search(r, DEPTH, null));
      }
      HybridSearcher.Outcome outcome = new HybridSearcher.Outcome(query.fuse(lists), List.of(), Map.of(), lists, DEPTH, 3);
      return WindowComputation.window(outcome, generation, fields(new ArrayList<>(titles.keySet())));
    }

    Map<Retriever, List<ScoredId>> found(WindowQuery query, Set<String> upserted) {
      Map<Retriever, List<ScoredId>> found = new EnumMap<>(Retriever.class);
      for (Retriever r : query.retrievers()) {
        found.put(r, search(r, upserted.size(), upserted));
      }
      return found;
    }

    Map<String, HydrationEntry> fields(List<String> ids) {
      Map<String, HydrationEntry> out = new HashMap<>();
      for (String id : ids) {
        if (titles.containsKey(id)) {
          out.put(id, new HydrationEntry(id, titles.get(id), null, List.of(), null, null));
        }
      }
      return out;
    }
  }

  private static WindowQuery query(FusionMethod fusion, SearchMode mode) {
    return new WindowQuery("wing flutter", mode, List.of(), fusion, Weights.parse("text:0.5,keyword:1,vector:2"), SIZE);
  }

  private static Map<Retriever, Double> scores(Random random, boolean everywhere) {
    Map<Retriever, Double> s = new EnumMap<>(Retriever.class);
    for (Retriever r : Retriever.values()) {
      if (everywhere || random.nextDouble() < 0.6) {
        s.put(r, r == Retriever.KEYWORD ? 20 * random.nextDouble() : random.nextDouble());
      }
    }
    return s;
  }

  private static Index index(Random random, int documents) {
    Index index = new Index();
    for (int i = 0; i < documents; i++) {
      index.put("d" + i, "title " + i, scores(random, false));
    }
    return index;
  }

  private static List<String> ids(CandidateWindow w) {
    return w.hits().stream().map(PageHit::id).toList();
  }

  private static void assertSameWindow(CandidateWindow judged, CandidateWindow fresh) {
    assertThat(ids(judged)).isEqualTo(ids(fresh));
    for (int i = 0; i < fresh.hits().size(); i++) {
      PageHit a = judged.hits().get(i);
      PageHit b = fresh.hits().get(i);
      assertThat(a.score()).isEqualTo(b.score());
      assertThat(a.title()).isEqualTo(b.title());
      assertThat(a.explain()).isEqualTo(b.explain());
    }
    assertThat(judged.generation()).isEqualTo(fresh.generation());
  }

  @ParameterizedTest
  @EnumSource(FusionMethod.class)
  void aJudgedWindowIsWhatAFreshSearchOfTheChangedIndexGives(FusionMethod fusion) {
    int patched = 0;
    int carried = 0;
    int recomputed = 0;
    for (int seed = 0; seed < 400; seed++) {
      Random random = new Random(seed);
      SearchMode mode = seed % 5 == 4 ? SearchMode.KEYWORD : SearchMode.HYBRID;
      WindowQuery query = query(fusion, mode);
      // small indexes make complete lists, large ones lists with a reserve
      Index before = index(random, seed % 3 == 0 ? 8 : 40);
      CandidateWindow window = before.window(query, 1);
      Index after = before.copy();
      Set<String> upserted = new LinkedHashSet<>();
      Set<String> deleted = new LinkedHashSet<>();
      int changes = 1 + random.nextInt(4);
      for (int c = 0; c < changes; c++) {
        double what = random.nextDouble();
        if (what < 0.4) {
          String id = "new" + c;
          after.put(id, "new title " + c, scores(random, random.nextBoolean()));
          upserted.add(id);
        } else if (what < 0.7) {
          // an update of a document that is likely in the window
          String id = ids(window).isEmpty() ? "d0" : ids(window).get(random.nextInt(ids(window).size()));
          after.put(id, "updated title " + c, scores(random, false));
          deleted.remove(id);
          upserted.add(id);
        } else {
          String id = ids(window).isEmpty() ? "d1" : ids(window).get(random.nextInt(ids(window).size()));
          after.delete(id);
          upserted.remove(id);
          deleted.add(id);
        }
      }
      GenerationChanges change = GenerationChanges.of(upserted, deleted);
      WindowJudge.Judgement j = WindowJudge.judge(query, window, change, 2, after.found(query, upserted), after::fields);
      switch (j.verdict()) {
        case RECOMPUTE -> recomputed++;
        case CARRIED -> {
          carried++;
          assertThat(j.window().hits()).isSameAs(window.hits());
          assertSameWindow(j.window(), after.window(query, 2));
        }
        case PATCHED -> {
          patched++;
          assertSameWindow(j.window(), after.window(query, 2));
          // and the patched window can be judged again like a computed one
          assertThat(j.window().depth()).isEqualTo(DEPTH);
        }
      }
    }
    assertThat(patched).isGreaterThan(200);
    assertThat(carried).isGreaterThan(5);
    assertThat(recomputed).isLessThan(60);
  }

  @Test
  void aDocumentThatMatchesNothingCarriesTheWindowToTheNewGeneration() {
    WindowQuery query = query(FusionMethod.WEIGHTED, SearchMode.HYBRID);
    Index index = index(new Random(1), 30);
    CandidateWindow window = index.window(query, 4);
    List<String> asked = new ArrayList<>();
    WindowJudge.Judgement j = WindowJudge.judge(query, window, GenerationChanges.of(List.of("elsewhere"), List.of()), 7,
        Map.of(), ids -> {
          asked.addAll(ids);
          return Map.of();
        });
    assertThat(j.verdict()).isEqualTo(WindowJudge.Verdict.CARRIED);
    assertThat(j.window().generation()).isEqualTo(7);
    assertThat(j.window().lists()).isEqualTo(window.lists());
    assertThat(asked).isEmpty();
  }

  @Test
  void aNewDocumentThatOutscoresTheWindowEntersAtItsPlaceWithItsDisplayFields() {
    WindowQuery query = query(FusionMethod.WEIGHTED, SearchMode.HYBRID);
    Index index = index(new Random(2), 30);
    CandidateWindow window = index.window(query, 1);
    Index after = index.copy();
    after.put("star", "the star", Map.of(Retriever.TEXT, 1.0, Retriever.KEYWORD, 30.0, Retriever.VECTOR, 1.0));
    WindowJudge.Judgement j = WindowJudge.judge(query, window, GenerationChanges.of(List.of("star"), List.of()), 2,
        after.found(query, Set.of("star")), after::fields);
    assertThat(j.verdict()).isEqualTo(WindowJudge.Verdict.PATCHED);
    assertThat(j.window().hits().get(0).id()).isEqualTo("star");
    assertThat(j.window().hits().get(0).title()).isEqualTo("the star");
    assertThat(j.window().hits()).hasSize(SIZE);
    assertThat(ids(j.window()).subList(1, SIZE)).isEqualTo(ids(window).subList(0, SIZE - 1));
  }

  @Test
  void anUpdatedHitIsNeverServedWithItsOldTextEvenWhenItsScoresStayTheSame() {
    WindowQuery query = query(FusionMethod.RRF, SearchMode.HYBRID);
    Index index = index(new Random(3), 30);
    CandidateWindow window = index.window(query, 1);
    String first = ids(window).get(0);
    Index after = index.copy();
    Map<Retriever, Double> same = new EnumMap<>(Retriever.class);
    index.scores.forEach((r, m) -> {
      if (m.containsKey(first)) {
        same.put(r, m.get(first));
      }
    });
    after.put(first, "a new title", same);
    WindowJudge.Judgement j = WindowJudge.judge(query, window, GenerationChanges.of(List.of(first), List.of()), 2,
        after.found(query, Set.of(first)), after::fields);
    assertThat(j.verdict()).isEqualTo(WindowJudge.Verdict.PATCHED);
    assertThat(ids(j.window())).isEqualTo(ids(window));
    assertThat(j.window().hits().get(0).title()).isEqualTo("a new title");
  }

  @Test
  void aDeletedHitLeavesAndTheReserveFillsTheWindow() {
    WindowQuery query = query(FusionMethod.WEIGHTED, SearchMode.KEYWORD);
    Index index = index(new Random(4), 40);
    CandidateWindow window = index.window(query, 1);
    String gone = ids(window).get(3);
    Index after = index.copy();
    after.delete(gone);
    WindowJudge.Judgement j = WindowJudge.judge(query, window, GenerationChanges.of(List.of(), List.of(gone)), 2,
        Map.of(), after::fields);
    assertThat(j.verdict()).isEqualTo(WindowJudge.Verdict.PATCHED);
    assertThat(ids(j.window())).doesNotContain(gone).hasSize(SIZE);
    assertSameWindow(j.window(), after.window(query, 2));
    assertThat(j.window().lists().get("keyword").hits()).hasSize(DEPTH - 1);
    assertThat(j.window().lists().get("keyword").complete()).isFalse();
  }

  @Test
  void aListThatRunsOutOfReserveIsRecomputed() {
    WindowQuery query = query(FusionMethod.WEIGHTED, SearchMode.KEYWORD);
    Index index = index(new Random(5), 60);
    CandidateWindow window = index.window(query, 1);
    List<String> keyword = window.lists().get("keyword").hits().stream().map(ScoredId::id).toList();
    // DEPTH - SIZE + 1 deletes leave SIZE - 1 known hits: the next ones are unknown
    List<String> gone = keyword.subList(0, DEPTH - SIZE + 1);
    WindowJudge.Judgement j = WindowJudge.judge(query, window, GenerationChanges.of(List.of(), gone), 2, Map.of(),
        index::fields);
    assertThat(j.verdict()).isEqualTo(WindowJudge.Verdict.RECOMPUTE);
    assertThat(j.window()).isNull();
    // one delete fewer still patches
    WindowJudge.Judgement fewer = WindowJudge.judge(query, window,
        GenerationChanges.of(List.of(), gone.subList(0, gone.size() - 1)), 2, Map.of(), index::fields);
    assertThat(fewer.verdict()).isEqualTo(WindowJudge.Verdict.PATCHED);
  }

  @Test
  void aCompleteListTakesEveryNewMatchAndStaysCompleteUpToItsDepth() {
    CandidateWindow.RankedList complete = new CandidateWindow.RankedList(
        List.of(new ScoredId("a", 3), new ScoredId("b", 1)), true);
    CandidateWindow.RankedList more = WindowJudge.patch(complete, GenerationChanges.of(List.of("c"), List.of()),
        List.of(new ScoredId("c", 0.5)), 3);
    assertThat(more.hits()).extracting(ScoredId::id).containsExactly("a", "b", "c");
    assertThat(more.complete()).isTrue();
    CandidateWindow.RankedList full = WindowJudge.patch(more, GenerationChanges.of(List.of("d"), List.of()),
        List.of(new ScoredId("d", 2)), 3);
    assertThat(full.hits()).extracting(ScoredId::id).containsExactly("a", "d", "b");
    assertThat(full.complete()).isFalse();
  }

  @Test
  void anIncompleteListTakesOnlyWhatOutscoresItsLastHit() {
    CandidateWindow.RankedList incomplete = new CandidateWindow.RankedList(
        List.of(new ScoredId("a", 3), new ScoredId("b", 1)), false);
    CandidateWindow.RankedList patched = WindowJudge.patch(incomplete,
        GenerationChanges.of(List.of("c", "d", "e"), List.of()),
        List.of(new ScoredId("c", 2), new ScoredId("d", 1), new ScoredId("e", 0.5)), 10);
    assertThat(patched.hits()).extracting(ScoredId::id).containsExactly("a", "c", "b");
    assertThat(patched.complete()).isFalse();
    // a found document that is not among the upserted ones is ignored
    CandidateWindow.RankedList ignored = WindowJudge.patch(incomplete, GenerationChanges.of(List.of(), List.of()),
        List.of(new ScoredId("z", 9)), 10);
    assertThat(ignored.hits()).isEqualTo(incomplete.hits());
  }

  @Test
  void windowsWithoutListsOrDegradedOnesAreRecomputed() {
    WindowQuery query = query(FusionMethod.WEIGHTED, SearchMode.HYBRID);
    CandidateWindow bare = new CandidateWindow(1, List.of(), List.of(), Map.of());
    Function<List<String>, Map<String, HydrationEntry>> none = ids -> Map.of();
    assertThat(WindowJudge.judge(query, bare, GenerationChanges.NONE, 2, Map.of(), none).verdict())
        .isEqualTo(WindowJudge.Verdict.RECOMPUTE);
    CandidateWindow computed = index(new Random(6), 20).window(query, 1);
    CandidateWindow degraded = new CandidateWindow(1, computed.hits(),
        List.of(new CandidateWindow.Degradation("text", "timeout")), Map.of(), computed.lists(), DEPTH);
    assertThat(WindowJudge.judge(query, degraded, GenerationChanges.NONE, 2, Map.of(), none).verdict())
        .isEqualTo(WindowJudge.Verdict.RECOMPUTE);
    Map<String, CandidateWindow.RankedList> partial = new HashMap<>(computed.lists());
    partial.remove("vector");
    CandidateWindow missingList = new CandidateWindow(1, computed.hits(), List.of(), Map.of(), partial, DEPTH);
    assertThat(WindowJudge.judge(query, missingList, GenerationChanges.NONE, 2, Map.of(), none).verdict())
        .isEqualTo(WindowJudge.Verdict.RECOMPUTE);
    assertThat(WindowJudge.judge(query, computed, GenerationChanges.NONE, 2, Map.of(), none).verdict())
        .isEqualTo(WindowJudge.Verdict.CARRIED);
  }

  @Test
  void hitsThatMoveUpIntoTheWindowAreHydrated() {
    WindowQuery query = query(FusionMethod.WEIGHTED, SearchMode.KEYWORD);
    Index index = index(new Random(7), 40);
    CandidateWindow window = index.window(query, 1);
    String gone = ids(window).get(0);
    Index after = index.copy();
    after.delete(gone);
    Set<String> asked = new HashSet<>();
    WindowJudge.Judgement j = WindowJudge.judge(query, window, GenerationChanges.of(List.of(), List.of(gone)), 2,
        Map.of(), ids -> {
          asked.addAll(ids);
          return after.fields(ids);
        });
    String newcomer = ids(j.window()).get(SIZE - 1);
    assertThat(ids(window)).doesNotContain(newcomer);
    assertThat(asked).containsExactly(newcomer);
    assertThat(j.window().hits().get(SIZE - 1).title()).isEqualTo(index.titles.get(newcomer));
    assertThat(j.window().hits().get(0).title()).isEqualTo(window.hits().get(1).title());
  }

  @Test
  void listsKeepTheirOrderAmongEqualScores() {
    CandidateWindow.RankedList tied = new CandidateWindow.RankedList(
        List.of(new ScoredId("b", 1), new ScoredId("a", 1)), true);
    CandidateWindow.RankedList patched = WindowJudge.patch(tied, GenerationChanges.of(List.of("c"), List.of()),
        List.of(new ScoredId("c", 1)), 5);
    assertThat(patched.hits()).extracting(ScoredId::id).containsExactly("b", "a", "c");
    assertThat(patched.hits().stream().sorted(Comparator.comparing(ScoredId::id)).toList()).hasSize(3);
  }
}
