package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.companionbrain.core.cache.GenerationNotice;
import dev.companionbrain.core.search.FusionMethod;
import dev.companionbrain.core.search.SearchMode;
import dev.companionbrain.core.search.Weights;
import dev.companionbrain.core.search.WindowQuery;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The window cache's rules with time in the test's hands: an injected Ticker (L1 expiry), an
 * injected clock (staleness), generations published by hand, an injected search and an in-memory
 * shared level (the Redis one is exercised in CacheIT), and background refreshes that run only when
 * the test runs them.
 */
class WindowCacheTest {
  private static final long BOUND = 250;
  private final AtomicLong nanos = new AtomicLong();
  private final AtomicLong millis = new AtomicLong(1_000_000);
  private final GenerationClock generations = new GenerationClock();
  private final InMemorySharedWindows l2 = new InMemorySharedWindows();
  private final Map<String, CandidateWindow> shared = l2.windows;
  private final Set<String> claims = l2.claims;
  private final Queue<Runnable> refreshes = new ArrayDeque<>();
  private final AtomicInteger computed = new AtomicInteger();
  private volatile List<CandidateWindow.Degradation> degraded = List.of();
  private final WindowCache.WindowSearch search = (query, generation, fresh) -> {
    computed.incrementAndGet();
    return new CandidateWindow(generation, List.of(hit(query.q() + "@" + generation + "#" + computed.get())), degraded,
        Map.of());
  };
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final WindowCache cache = cache(BOUND, search);
  private final WindowQuery query = window("wing flutter");

  private WindowCache cache(long bound, WindowCache.WindowSearch computation) {
    return new WindowCache(1 << 20, Duration.ofMinutes(5), nanos::get, l2, generations, millis::get, bound, unlimited(), computation,
        refreshes::add, null, null, registry);
  }

  /** A limit no test of the cache's other rules reaches. */
  static WindowCache.Saturation unlimited() {
    return new WindowCache.Saturation(ComputeLimit.fixed(1_000, new SimpleMeterRegistry()), 0);
  }

  private static WindowQuery window(String q) {
    return new WindowQuery(q, SearchMode.HYBRID, List.of(), FusionMethod.RRF, Weights.parse("text:1,keyword:1,vector:1"), 100);
  }

  private static PageHit hit(String id) {
    return new PageHit(id.replaceAll("[^A-Za-z0-9_-]", "_"), 1.0, "t", null, null, null, null,
        Map.of("text", new PageHit.RetrieverPart(1, 2.0, 0.5)));
  }

  /** The indexing job publishes generation {@code g} now. */
  private void publish(long g) {
    generations.observe(new GenerationNotice(g, millis.get(), 10, millis.get() - 500), millis.get());
  }

  @Test
  void aMissIsComputedOnceThenServedFromL1UntilItsTtlThenFromL2() {
    publish(1);
    assertThat(cache.get(query).source()).isEqualTo(WindowCache.Source.MISS);
    assertThat(cache.get(query).source()).isEqualTo(WindowCache.Source.L1);
    nanos.addAndGet(Duration.ofMinutes(6).toNanos());
    WindowCache.Answer fromL2 = cache.get(query);
    assertThat(fromL2.source()).isEqualTo(WindowCache.Source.L2);
    assertThat(new String(fromL2.hitJson()[0], StandardCharsets.UTF_8)).contains("\"id\":").doesNotContain("explain");
    assertThat(computed).hasValue(1);
  }

  @Test
  void aNoCacheSearchAsksForItsPageWritesOnlyThatPageAndKeepsTheWindowInNeitherLevel() {
    publish(1);
    List<int[]> pages = new java.util.ArrayList<>();
    WindowCache paged = cache(BOUND, new WindowCache.WindowSearch() {
      @Override
      public CandidateWindow compute(WindowQuery q, long generation, boolean fresh) {
        throw new AssertionError("a no-cache search asks for its page");
      }

      @Override
      public CandidateWindow computePage(WindowQuery q, long generation, int offset, int k) {
        pages.add(new int[] {offset, k});
        return new CandidateWindow(generation, List.of(hit("a"), hit("b"), hit("c"), hit("d")), List.of(), Map.of());
      }
    });
    WindowCache.Answer answer = paged.bypass(query, 1, 2);
    assertThat(answer.source()).isEqualTo(WindowCache.Source.BYPASS);
    assertThat(pages).singleElement().satisfies(p -> assertThat(p).containsExactly(1, 2));
    assertThat(answer.hitJson().length).isEqualTo(4);
    assertThat(answer.hitJson()[0]).isNull();
    assertThat(new String(answer.hitJson()[1], StandardCharsets.UTF_8)).contains("\"id\":\"b\"");
    assertThat(new String(answer.hitJson()[2], StandardCharsets.UTF_8)).contains("\"id\":\"c\"");
    assertThat(answer.hitJson()[3]).isNull();
    assertThat(paged.bypass(query, 3, 10).hitJson()[3]).isNotNull();
    assertThat(shared).isEmpty();
    assertThat(paged.inL1(query)).isNull();
    assertThat(serialisations()).isEqualTo(2);
  }

  /** How many hits' JSON writes were timed; each one's own duration (less than a minute in all, never a clock's reading). */
  private long serialisations() {
    io.micrometer.core.instrument.Timer timer = registry.get(SearchStages.METER).tag("stage", SearchStages.SERIALISATION).timer();
    assertThat(timer.totalTime(java.util.concurrent.TimeUnit.SECONDS)).isLessThan(60);
    return timer.count();
  }

  @Test
  void theHitsJsonOfAComputedWindowIsTimedAndThatOfACachedOneIsNot() {
    publish(1);
    cache.get(query);
    assertThat(serialisations()).isEqualTo(1);
    cache.get(query);
    nanos.addAndGet(Duration.ofMinutes(6).toNanos());
    assertThat(cache.get(query).source()).isEqualTo(WindowCache.Source.L2);
    assertThat(serialisations()).isEqualTo(1);
  }

  @Test
  void aSearchOfWholeWindowsOnlyAnswersANoCachePageFromAWindowComputedAfresh() {
    publish(1);
    List<Boolean> fresh = new java.util.ArrayList<>();
    WindowCache whole = cache(BOUND, (q, generation, f) -> {
      fresh.add(f);
      return new CandidateWindow(generation, List.of(hit("a"), hit("b")), List.of(), Map.of());
    });
    WindowCache.Answer answer = whole.bypass(query, 0, 1);
    assertThat(fresh).containsExactly(true);
    assertThat(answer.hitJson()[0]).isNotNull();
    assertThat(answer.hitJson()[1]).isNull();
  }

  @Test
  void everyRequestOfOneWindowSharesItWhateverItsPage() {
    publish(1);
    WindowQuery first = dev.companionbrain.core.search.SearchQuery.fromParams(
        Map.of("q", "wing flutter", "k", "10")::get, defaults()).window(100);
    WindowQuery third = dev.companionbrain.core.search.SearchQuery.fromParams(
        Map.of("q", "Wing  Flutter", "k", "10", "offset", "20", "explain", "true")::get, defaults()).window(100);
    cache.get(first);
    assertThat(cache.get(third).source()).isEqualTo(WindowCache.Source.L1);
    assertThat(computed).hasValue(1);
  }

  private static dev.companionbrain.core.search.SearchDefaults defaults() {
    return new dev.companionbrain.core.search.SearchDefaults(FusionMethod.RRF, Weights.parse("text:1,keyword:1,vector:1"),
        Weights.parse("text:1,keyword:1,vector:1"));
  }

  @Test
  void aSupersededWindowIsServedWithinTheBoundWhileOneRefreshRecomputesIt() {
    publish(1);
    cache.get(query);
    millis.addAndGet(1000);
    publish(2);
    millis.addAndGet(100);
    WindowCache.Answer stale = cache.get(query);
    assertThat(stale.source()).isEqualTo(WindowCache.Source.L1);
    assertThat(stale.window().generation()).isEqualTo(1);
    assertThat(stale.staleMillis()).isEqualTo(100);
    millis.addAndGet(50);
    assertThat(cache.get(query).staleMillis()).isEqualTo(150);
    assertThat(refreshes).as("one refresh for the two stale answers").hasSize(1);
    assertThat(computed).hasValue(1);
    refreshes.poll().run();
    WindowCache.Answer fresh = cache.get(query);
    assertThat(fresh.window().generation()).isEqualTo(2);
    assertThat(fresh.staleMillis()).isZero();
    assertThat(shared.values()).extracting(CandidateWindow::generation).containsExactly(2L);
    assertThat(computed).hasValue(2);
  }

  @Test
  void aWindowPastTheBoundIsNeverServed() {
    publish(1);
    cache.get(query);
    publish(2);
    millis.addAndGet(BOUND);
    assertThat(cache.get(query).staleMillis()).isEqualTo(BOUND); // at the bound: still served
    millis.addAndGet(1);
    WindowCache.Answer answer = cache.get(query);
    assertThat(answer.source()).isEqualTo(WindowCache.Source.MISS);
    assertThat(answer.window().generation()).isEqualTo(2);
    assertThat(answer.staleMillis()).isZero();
  }

  @Test
  void aWindowInL2PastTheBoundIsNotServedEither() {
    publish(1);
    cache.get(query);
    WindowCache other = cache(BOUND, search); // a fresh instance: its L1 is empty
    publish(2);
    millis.addAndGet(BOUND + 1);
    WindowCache.Answer answer = other.get(query);
    assertThat(answer.source()).isEqualTo(WindowCache.Source.MISS);
    assertThat(answer.window().generation()).isEqualTo(2);
  }

  @Test
  void whenTheMomentAGenerationWasSupersededIsUnknownItsWindowsAreNotServed() {
    publish(1);
    cache.get(query);
    // generation 2 was missed; 3 is learned: when 1 was superseded is unknown
    generations.observe(new GenerationNotice(3, millis.get(), 1, 0), millis.get());
    assertThat(cache.get(query).source()).isEqualTo(WindowCache.Source.MISS);
  }

  @Test
  void withABoundOfZeroOnlyCurrentWindowsAreServed() {
    WindowCache strict = cache(0, search);
    publish(1);
    strict.get(query);
    assertThat(strict.get(query).source()).isEqualTo(WindowCache.Source.L1);
    publish(2);
    assertThat(strict.get(query).source()).isEqualTo(WindowCache.Source.MISS);
    assertThat(refreshes).isEmpty();
  }

  @Test
  void anotherInstancesRefreshIsPickedUpFromL2InsteadOfComputedAgain() {
    publish(1);
    WindowCache other = cache(BOUND, search);
    cache.get(query);
    other.get(query);
    publish(2);
    millis.addAndGet(10);
    cache.get(query);
    other.get(query);
    assertThat(refreshes).hasSize(2);
    refreshes.poll().run();
    refreshes.poll().run();
    assertThat(computed).as("one computation at generation 1, one refresh at 2").hasValue(2);
    assertThat(cache.get(query).window().generation()).isEqualTo(2);
    assertThat(other.get(query).window().generation()).isEqualTo(2);
  }

  @Test
  void aClaimHeldElsewhereLeavesTheRefreshToItsHolder() {
    publish(1);
    cache.get(query);
    publish(2);
    claims.add(WindowQuery.cacheKeyOf(query.canonicalForm()) + "@2");
    cache.get(query);
    refreshes.poll().run();
    assertThat(computed).hasValue(1);
  }

  @Test
  void warmingComputesAPopularWindowOnceAndAFreshInstanceFindsItInL2() {
    publish(1);
    publish(2);
    assertThat(cache.warm(query, 2)).isTrue();
    assertThat(cache.warm(query, 2)).as("already there").isFalse();
    WindowCache fresh = cache(BOUND, search);
    assertThat(fresh.warm(query, 2)).as("in L2 already").isFalse();
    WindowCache.Answer answer = cache(BOUND, search).get(query);
    assertThat(answer.source()).isEqualTo(WindowCache.Source.L2);
    assertThat(answer.window().generation()).isEqualTo(2);
    assertThat(computed).hasValue(1);
  }

  @Test
  void aDegradedWindowIsServedButNeverCached() {
    publish(1);
    degraded = List.of(new CandidateWindow.Degradation("text", "timeout"));
    assertThat(cache.get(query).source()).isEqualTo(WindowCache.Source.MISS);
    assertThat(cache.get(query).source()).isEqualTo(WindowCache.Source.MISS);
    assertThat(shared).isEmpty();
    assertThat(computed).hasValue(2);
  }

  @Test
  void concurrentIdenticalMissesComputeExactlyOnce() throws Exception {
    publish(1);
    CountDownLatch release = new CountDownLatch(1);
    WindowCache blocking = cache(BOUND, (q, g, fresh) -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return search.compute(q, g, fresh);
    });
    List<WindowCache.Source> sources = Collections.synchronizedList(new ArrayList<>());
    Thread first = new Thread(() -> sources.add(blocking.get(query).source()));
    first.start();
    await().until(() -> first.getState() == Thread.State.WAITING);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      Thread t = new Thread(() -> sources.add(blocking.get(query).source()));
      threads.add(t);
      t.start();
    }
    // every other request is parked on the running computation before it may finish
    await().until(() -> threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
    release.countDown();
    first.join();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(computed).hasValue(1);
    assertThat(sources).hasSize(8).containsOnly(WindowCache.Source.MISS);
  }

  // At the computations' limit (issue #25): a limit of one, held by an outer computation of the test.

  private final SimpleMeterRegistry saturatedRegistry = new SimpleMeterRegistry();
  private final ComputeLimit one = ComputeLimit.fixed(1, saturatedRegistry);
  private static final long SATURATED_BOUND = 10_000;
  private final WindowCache saturable = new WindowCache(1 << 20, Duration.ofMinutes(5), nanos::get, l2, generations,
      millis::get, BOUND, new WindowCache.Saturation(one, SATURATED_BOUND), search, refreshes::add, null, null,
      saturatedRegistry);

  /** {@code work} while the only computation allowed is taken. */
  private <T> T whileSaturated(java.util.function.Supplier<T> work) {
    return one.run(ComputeLimit.Priority.ANSWER, work).orElseThrow();
  }

  private double saturated(String result) {
    return saturatedRegistry.get("brain_cache_saturated_answers").tag("result", result).counter().count();
  }

  @Test
  void atTheLimitAWindowPastTheBoundIsServedStaleUpToTheSaturatedBound() {
    publish(1);
    saturable.get(query);
    publish(2);
    millis.addAndGet(SATURATED_BOUND);
    WindowCache.Answer stale = whileSaturated(() -> saturable.get(query));
    assertThat(stale.source()).isEqualTo(WindowCache.Source.L1);
    assertThat(stale.window().generation()).isEqualTo(1);
    assertThat(stale.staleMillis()).isEqualTo(SATURATED_BOUND);
    assertThat(saturated("stale")).isEqualTo(1);
    assertThat(saturatedRegistry.get("brain_cache_stale_answer_ms").summary().max()).isEqualTo(SATURATED_BOUND);
    assertThat(computed).hasValue(1);
    millis.addAndGet(1);
    assertThatTooManyRequests(() -> whileSaturated(() -> saturable.get(query)));
    assertThat(saturated("refused")).isEqualTo(1);
    assertThat(computed).hasValue(1);
    // with the limit free again the window is computed
    WindowCache.Answer fresh = saturable.get(query);
    assertThat(fresh.source()).isEqualTo(WindowCache.Source.MISS);
    assertThat(fresh.window().generation()).isEqualTo(2);
  }

  @Test
  void atTheLimitAWindowNeverCachedIsRefusedAt429WithoutAskingTheEngines() {
    publish(1);
    assertThatTooManyRequests(() -> whileSaturated(() -> saturable.get(query)));
    assertThat(computed).hasValue(0);
    assertThat(saturated("refused")).isEqualTo(1);
    assertThat(saturated("stale")).isZero();
  }

  @Test
  void atTheLimitTheSharedLevelsStaleWindowIsServedAndKeptInL1() {
    publish(1);
    WindowCache other = cache(BOUND, search);
    other.get(query); // another instance computed it into L2
    publish(2);
    millis.addAndGet(BOUND + 1);
    WindowCache.Answer stale = whileSaturated(() -> saturable.get(query));
    assertThat(stale.source()).isEqualTo(WindowCache.Source.L2);
    assertThat(stale.staleMillis()).isEqualTo(BOUND + 1);
    assertThat(new String(stale.hitJson()[0], StandardCharsets.UTF_8)).contains("wing_flutter_1_1");
    WindowCache.Answer again = whileSaturated(() -> saturable.get(query));
    assertThat(again.source()).as("stored in L1 by the first").isEqualTo(WindowCache.Source.L1);
    assertThat(again.window()).isSameAs(stale.window());
    assertThat(computed).hasValue(1);
  }

  @Test
  void atTheLimitTheNewerOfTheTwoLevelsWindowsIsServed() {
    publish(1);
    saturable.get(query); // L1 and L2 at generation 1
    publish(2);
    millis.addAndGet(1);
    cache(0, search).get(query); // another instance, serving only current windows: L2 at generation 2
    publish(3);
    millis.addAndGet(BOUND + 1);
    WindowCache.Answer stale = whileSaturated(() -> saturable.get(query));
    assertThat(stale.window().generation()).isEqualTo(2);
    assertThat(stale.source()).isEqualTo(WindowCache.Source.L2);
  }

  @Test
  void atTheLimitAStaleWindowHoldingADocumentDeletedSinceIsRefused() {
    publish(1);
    String held = saturable.get(query).window().hits().get(0).id();
    generations.observe(new GenerationNotice(2, millis.get(), 1, 0, List.of(), List.of(held)), millis.get());
    millis.addAndGet(BOUND + 1);
    assertThatTooManyRequests(() -> whileSaturated(() -> saturable.get(query)));
  }

  @Test
  void atTheLimitAStaleWindowIsServedWhenTheDeletesSinceMissIt() {
    publish(1);
    saturable.get(query);
    generations.observe(new GenerationNotice(2, millis.get(), 1, 0, List.of(), List.of("other")), millis.get());
    millis.addAndGet(BOUND + 1);
    assertThat(whileSaturated(() -> saturable.get(query)).staleMillis()).isEqualTo(BOUND + 1);
  }

  @Test
  void atTheLimitANoCacheSearchIsRefusedEvenWithTheWindowCached() {
    publish(1);
    saturable.get(query);
    assertThatTooManyRequests(() -> whileSaturated(() -> saturable.bypass(query, 0, 10)));
    assertThat(computed).hasValue(1);
    assertThat(saturated("refused")).isEqualTo(1);
    assertThat(saturable.bypass(query, 0, 10).source()).isEqualTo(WindowCache.Source.BYPASS);
  }

  @Test
  void atHalfTheLimitARefreshIsSkippedAndTheWindowStaysServedWithinTheBound() {
    publish(1);
    saturable.get(query);
    publish(2);
    millis.addAndGet(10);
    assertThat(saturable.get(query).staleMillis()).isEqualTo(10);
    whileSaturated(() -> {
      refreshes.poll().run();
      return "refreshed";
    });
    assertThat(computed).as("the refresh did not compute").hasValue(1);
    assertThat(saturatedRegistry.get("brain_cache_refreshes").tag("result", "saturated").counter().count()).isEqualTo(1);
    assertThat(claims).as("nothing claimed: another instance may refresh it").isEmpty();
    assertThat(saturable.get(query).window().generation()).isEqualTo(1);
    assertThat(refreshes).as("a new refresh is asked for").hasSize(1);
    refreshes.poll().run();
    assertThat(saturable.get(query).window().generation()).isEqualTo(2);
  }

  @Test
  void atHalfTheLimitWarmingComputesNothing() {
    publish(1);
    assertThat(whileSaturated(() -> saturable.warm(query, 1))).isFalse();
    assertThat(computed).hasValue(0);
    assertThat(saturable.warm(query, 1)).isTrue();
    assertThat(computed).hasValue(1);
  }

  private static void assertThatTooManyRequests(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    org.assertj.core.api.Assertions.assertThatThrownBy(call).isInstanceOf(ApiException.TooManyRequests.class)
        .hasMessageContaining("(1 at once); retry after 1 s");
  }
}
