package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.core.cache.GenerationNotice;
import dev.companionbrain.core.cache.HydrationEntry;
import dev.companionbrain.core.search.FusionMethod;
import dev.companionbrain.core.search.Retriever;
import dev.companionbrain.core.search.ScoredId;
import dev.companionbrain.core.search.SearchMode;
import dev.companionbrain.core.search.Weights;
import dev.companionbrain.core.search.WindowQuery;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The window cache with judging on: generations that list their changes, an index of BM25 scores held
 * by the test (the keyword retriever's only truth), the judging and refreshes run when the test runs
 * them, time by hand.
 */
class WindowCacheJudgingTest {
  private static final long BOUND = 250;
  private final AtomicLong nanos = new AtomicLong();
  private final AtomicLong millis = new AtomicLong(1_000_000);
  private final GenerationClock generations = new GenerationClock();
  private final InMemorySharedWindows l2 = new InMemorySharedWindows();
  private final Queue<Runnable> refreshes = new ArrayDeque<>();
  private final Queue<Runnable> judgings = new ArrayDeque<>();
  private final Map<String, Double> index = new ConcurrentHashMap<>();
  private final AtomicInteger computed = new AtomicInteger();
  private final AtomicInteger batches = new AtomicInteger();
  private final List<List<String>> askedIds = new ArrayList<>();
  private final List<List<String>> askedQueries = new ArrayList<>();
  private final List<List<String>> askedFields = new ArrayList<>();
  private volatile boolean engineFails;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private List<ScoredId> search(int limit, java.util.Collection<String> only) {
    return index.entrySet().stream().filter(e -> only == null || only.contains(e.getKey()))
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(limit)
        .map(e -> new ScoredId(e.getKey(), e.getValue())).toList();
  }

  private final WindowCache.WindowSearch search = (query, generation, fresh) -> {
    computed.incrementAndGet();
    int depth = query.size() + 2;
    Map<Retriever, List<ScoredId>> lists = new EnumMap<>(Retriever.class);
    lists.put(Retriever.KEYWORD, search(depth, null));
    return WindowComputation.window(new HybridSearcher.Outcome(query.fuse(lists), List.of(), Map.of(), lists, depth, 3),
        generation, fields(new ArrayList<>(index.keySet())));
  };

  private Map<String, HydrationEntry> fields(List<String> ids) {
    Map<String, HydrationEntry> out = new HashMap<>();
    ids.forEach(id -> out.put(id, new HydrationEntry(id, "title of " + id, null, List.of(), null, null)));
    return out;
  }

  private final WindowCache.Judging judging = new WindowCache.Judging((queries, ids) -> {
    batches.incrementAndGet();
    askedIds.add(ids);
    askedQueries.add(queries.stream().map(WindowQuery::q).toList());
    if (engineFails) {
      throw new IllegalStateException("keyword could not judge the changes");
    }
    List<Map<Retriever, List<ScoredId>>> out = new ArrayList<>();
    for (WindowQuery q : queries) {
      out.add(Map.of(Retriever.KEYWORD, search(ids.size(), ids)));
    }
    return out;
  }, ids -> {
    askedFields.add(ids);
    return fields(ids);
  }, judgings::add);

  private final CacheAudit audit = new CacheAudit(1.0, 1_000_000, () -> 0.5, generations::current,
      generations::changes, millis::get, search, Runnable::run, registry);
  private final WindowCache cache = new WindowCache(1 << 22, Duration.ofMinutes(5), nanos::get, l2, generations,
      millis::get, BOUND, WindowCacheTest.unlimited(), search, refreshes::add, judging, null, registry);

  private static WindowQuery query(String q) {
    return new WindowQuery(q, SearchMode.KEYWORD, List.of(), FusionMethod.WEIGHTED, Weights.parse("keyword:1"), 3);
  }

  private void publish(long g, List<String> upserted, List<String> deleted) {
    generations.observe(new GenerationNotice(g, millis.get(), 1, 0, upserted, deleted), millis.get());
  }

  private static List<String> ids(WindowCache.Answer a) {
    return a.window().hits().stream().map(PageHit::id).toList();
  }

  private void runJudging() {
    while (!judgings.isEmpty()) {
      judgings.poll().run();
    }
  }

  private double judged(String result) {
    return registry.get("brain_cache_judged_windows").tag("result", result).counter().count();
  }

  private void seed() {
    for (int i = 0; i < 6; i++) {
      index.put("d" + i, 10.0 - i);
    }
    publish(1, List.of(), List.of());
  }

  @Test
  void aGenerationThatTouchesNoWindowCarriesEveryWindowWithoutComputing() {
    seed();
    cache.get(query("a"));
    cache.get(query("b"));
    index.put("low", 0.5);
    publish(2, List.of("low"), List.of());
    assertThat(judgings).hasSize(1);
    runJudging();
    assertThat(batches).hasValue(1); // both windows in one batch
    assertThat(askedIds).containsExactly(List.of("low"));
    WindowCache.Answer a = cache.get(query("a"));
    assertThat(a.source()).isEqualTo(WindowCache.Source.L1);
    assertThat(a.window().generation()).isEqualTo(2);
    assertThat(a.staleMillis()).isZero();
    assertThat(ids(a)).containsExactly("d0", "d1", "d2");
    assertThat(computed).hasValue(2);
    assertThat(judged("carried")).isEqualTo(2);
    assertThat(l2.windows.get(query("a").cacheKey()).generation()).isEqualTo(2);
    assertThat(registry.get("brain_cache_judged_generations").tag("result", "judged").counter().count()).isEqualTo(1);
    assertThat(registry.get("brain_cache_judging").timer().count()).isEqualTo(1);
  }

  @Test
  void aNewDocumentThatBelongsInAWindowIsPatchedInAtItsPlace() {
    seed();
    cache.get(query("a"));
    index.put("star", 9.5);
    publish(2, List.of("star"), List.of());
    runJudging();
    WindowCache.Answer a = cache.get(query("a"));
    assertThat(ids(a)).containsExactly("d0", "star", "d1");
    assertThat(a.window().hits().get(1).title()).isEqualTo("title of star");
    assertThat(a.window().generation()).isEqualTo(2);
    assertThat(judged("patched")).isEqualTo(1);
    assertThat(computed).hasValue(1);
  }

  @Test
  void aDeletedDocumentLeavesEveryLevelAndAStaleWindowHoldingItIsNotServed() {
    seed();
    cache.get(query("a"));
    index.remove("d1");
    publish(2, List.of(), List.of("d1"));
    millis.addAndGet(10); // well within the staleness bound
    // before the judging ran, the stale window holds d1: it is computed instead of served
    WindowCache.Answer before = cache.get(query("a"));
    assertThat(before.source()).isEqualTo(WindowCache.Source.MISS);
    assertThat(ids(before)).doesNotContain("d1");
    runJudging();
    assertThat(ids(cache.get(query("a")))).containsExactly("d0", "d2", "d3");
    assertThat(l2.windows.get(query("a").cacheKey()).hits()).extracting(PageHit::id).doesNotContain("d1");
  }

  @Test
  void aStaleWindowWithoutADeletedHitIsServedWhileTheJudgingRuns() {
    seed();
    cache.get(query("a"));
    index.remove("d5");
    publish(2, List.of(), List.of("d5"));
    millis.addAndGet(10);
    WindowCache.Answer stale = cache.get(query("a"));
    assertThat(stale.source()).isEqualTo(WindowCache.Source.L1);
    assertThat(stale.staleMillis()).isEqualTo(10);
  }

  @Test
  void generationsWhoseChangesAreUnknownFallBackToTheStalenessRule() {
    seed();
    cache.get(query("a"));
    generations.observe(new GenerationNotice(2, millis.get(), 5000, 0), millis.get()); // too many to list
    runJudging();
    assertThat(batches).hasValue(0);
    assertThat(judged("recompute")).isEqualTo(1);
    assertThat(registry.get("brain_cache_judged_generations").tag("result", "fallback").counter().count()).isEqualTo(1);
    millis.addAndGet(BOUND + 1);
    assertThat(cache.get(query("a")).source()).isEqualTo(WindowCache.Source.MISS);
  }

  @Test
  void anEngineThatFailsWhileJudgingLeavesTheWindowsToBeRecomputed() {
    seed();
    cache.get(query("a"));
    engineFails = true;
    index.put("star", 9.5);
    publish(2, List.of("star"), List.of());
    runJudging();
    assertThat(judged("recompute")).isEqualTo(1);
    millis.addAndGet(10);
    WindowCache.Answer stale = cache.get(query("a"));
    assertThat(stale.window().generation()).isEqualTo(1);
    // the refresh it triggers cannot judge either: it computes
    refreshes.poll().run();
    assertThat(computed).hasValue(2);
    assertThat(ids(cache.get(query("a")))).containsExactly("d0", "star", "d1");
  }

  @Test
  void aRefreshJudgesAWindowTheGenerationsJudgingMissed() {
    seed();
    // another instance computed the window at generation 1 into L2; this one has no L1 copy of it
    WindowCache other = new WindowCache(1 << 22, Duration.ofMinutes(5), nanos::get, l2, generations, millis::get,
        BOUND, WindowCacheTest.unlimited(), search, refreshes::add, null, null, new SimpleMeterRegistry());
    other.get(query("a"));
    index.put("star", 9.5);
    publish(2, List.of("star"), List.of());
    runJudging(); // nothing in this instance's L1 to judge
    millis.addAndGet(10);
    WindowCache.Answer stale = cache.get(query("a"));
    assertThat(stale.source()).isEqualTo(WindowCache.Source.L2);
    assertThat(stale.staleMillis()).isEqualTo(10);
    refreshes.poll().run();
    assertThat(computed).hasValue(1);
    assertThat(ids(cache.get(query("a")))).containsExactly("d0", "star", "d1");
    assertThat(registry.get("brain_cache_refreshes").tag("result", "judged").counter().count()).isEqualTo(1);
  }

  @Test
  void aRefreshLeavesAWindowToTheGenerationsJudgingStillToCome() {
    seed();
    cache.get(query("a"));
    index.put("star", 9.5);
    publish(2, List.of("star"), List.of());
    millis.addAndGet(10);
    assertThat(cache.get(query("a")).staleMillis()).isEqualTo(10);
    refreshes.poll().run();
    assertThat(batches).hasValue(0);
    assertThat(computed).hasValue(1);
    assertThat(registry.get("brain_cache_refreshes").tag("result", "left_to_judging").counter().count()).isEqualTo(1);
    runJudging();
    assertThat(ids(cache.get(query("a")))).containsExactly("d0", "star", "d1");
  }

  @Test
  void aWindowJudgedByAnotherInstanceIsNotStoredTwice() {
    seed();
    cache.get(query("a"));
    index.put("star", 9.5);
    publish(2, List.of("star"), List.of());
    l2.claims.add(query("a").cacheKey() + "@2");
    runJudging();
    assertThat(cache.get(query("a")).window().generation()).isEqualTo(1);
  }

  @Test
  void theWarmingJudgesInsteadOfComputingWhenItCan() {
    seed();
    cache.get(query("a"));
    index.put("star", 9.5);
    publish(2, List.of("star"), List.of());
    judgings.clear();
    assertThat(cache.warm(query("a"), 2)).isFalse();
    assertThat(computed).hasValue(1);
    assertThat(ids(cache.get(query("a")))).containsExactly("d0", "star", "d1");
    assertThat(cache.warm(query("a"), 2)).isFalse();
  }

  @Test
  void generationsThatComeWhileOneIsJudgedAreJudgedTogether() {
    seed();
    cache.get(query("a"));
    index.put("x", 9.7);
    publish(2, List.of("x"), List.of());
    index.put("y", 9.6);
    publish(3, List.of("y"), List.of());
    assertThat(judgings).hasSize(1);
    runJudging();
    assertThat(askedIds).hasSize(1);
    assertThat(askedIds.get(0)).containsExactlyInAnyOrder("x", "y");
    assertThat(ids(cache.get(query("a")))).containsExactly("d0", "x", "y");
    assertThat(cache.get(query("a")).window().generation()).isEqualTo(3);
  }

  @Test
  void theMostAskedWindowsAreJudgedFirstInBatches() {
    seed();
    for (int i = 0; i < WindowCache.JUDGING_BATCH + 5; i++) {
      cache.get(query("q" + i));
    }
    for (int i = 0; i < 3; i++) {
      cache.get(query("hot"));
      cache.get(query("q" + (WindowCache.JUDGING_BATCH + 4)));
    }
    index.put("star", 9.5);
    publish(2, List.of("star"), List.of());
    runJudging();
    assertThat(askedQueries).hasSize(2);
    // the last window was asked three times more (from L1), hot twice more (its first request computed it)
    assertThat(askedQueries.get(0)).hasSize(WindowCache.JUDGING_BATCH)
        .startsWith("q" + (WindowCache.JUDGING_BATCH + 4), "hot");
    assertThat(askedQueries.get(1)).hasSize(6);
    assertThat(askedFields).containsExactly(List.of("star")); // read once for both batches
    assertThat(judged("patched")).isEqualTo(WindowCache.JUDGING_BATCH + 6);
  }

  @Test
  void theBatchesFollowHowOftenEachWindowWasAsked() {
    seed();
    for (int i = 0; i < 10; i++) {
      cache.get(query("q" + i));
    }
    for (int i = 0; i < 3; i++) {
      cache.get(query("q7"));
    }
    cache.get(query("q3"));
    cache.get(query("q3"));
    cache.get(query("q5"));
    index.put("star", 9.5);
    publish(2, List.of("star"), List.of());
    runJudging();
    assertThat(askedQueries.get(0).subList(0, 3)).containsExactly("q7", "q3", "q5");
  }

  @Test
  void theUpsertedDocumentsFieldsAreReadOnceAndAHitThatMovesUpIsHydrated() {
    seed();
    cache.get(query("a"));
    cache.get(query("b"));
    index.put("star", 9.5);
    index.remove("d0");
    publish(2, List.of("star"), List.of("d0"));
    runJudging();
    // one read for the upserted document, then the hit moving up into each window (d2 enters: d0 left)
    assertThat(askedFields.get(0)).containsExactly("star");
    assertThat(askedFields.subList(1, askedFields.size())).allSatisfy(ids -> assertThat(ids).containsExactly("d2"));
    WindowCache.Answer a = cache.get(query("a"));
    assertThat(ids(a)).containsExactly("star", "d1", "d2");
    assertThat(a.window().hits().get(2).title()).isEqualTo("title of d2");
    assertThat(registry.get("brain_cache_judging_cpu_seconds").counter().count()).isPositive();
    // judged again without a newer generation: nothing to do
    cache.judgeCached();
    assertThat(batches).hasValue(1);
  }

  @Test
  void aWindowAskedForJustWithinTheIdleTimeIsStillJudged() {
    seed();
    cache.get(query("a"));
    millis.addAndGet(WindowCache.JUDGED_IF_USED_WITHIN_MILLIS);
    index.put("star", 9.5);
    publish(2, List.of("star"), List.of());
    runJudging();
    assertThat(judged("patched")).isEqualTo(1);
    assertThat(judged("idle")).isZero();
  }

  @Test
  void aWindowNobodyAskedForLatelyIsNotJudged() {
    seed();
    cache.get(query("old"));
    millis.addAndGet(WindowCache.JUDGED_IF_USED_WITHIN_MILLIS + 1);
    cache.get(query("recent"));
    index.put("star", 9.5);
    publish(2, List.of("star"), List.of());
    runJudging();
    assertThat(askedQueries).containsExactly(List.of("recent"));
    assertThat(judged("idle")).isEqualTo(1);
    assertThat(judged("patched")).isEqualTo(1);
    // judged windows keep the time they were last asked for: not judged again once idle
    millis.addAndGet(WindowCache.JUDGED_IF_USED_WITHIN_MILLIS + 1);
    publish(3, List.of(), List.of());
    runJudging();
    assertThat(judged("idle")).isEqualTo(3);
  }

  @Test
  void anAuditComparesACachedAnswerWithAFreshComputationAtTheSameGeneration() {
    WindowCache audited = new WindowCache(1 << 22, Duration.ofMinutes(5), nanos::get, l2, generations, millis::get,
        BOUND, WindowCacheTest.unlimited(), search, refreshes::add, judging, audit, registry);
    seed();
    audited.get(query("a"));
    audited.get(query("a")); // an L1 hit: computed afresh at once (the test's executor runs it in place)
    millis.addAndGet(CacheAudit.SETTLE_MILLIS);
    audit.settle(generations.current()); // no newer generation came: compared as it is
    assertThat(registry.get("brain_cache_audits").tag("result", "same").counter().count()).isEqualTo(1);
    index.put("star", 20.0); // the engine's answer now differs, and no generation lists star
    audited.get(query("a"));
    millis.addAndGet(CacheAudit.SETTLE_MILLIS);
    audit.settle(generations.current());
    assertThat(registry.get("brain_cache_audits").tag("result", "differ").counter().count()).isEqualTo(1);
    assertThat(registry.get("brain_cache_audit_top10_overlap").summary().mean()).isCloseTo((1 + 2.0 / 3) / 2,
        org.assertj.core.data.Offset.offset(1e-9));
  }
}
