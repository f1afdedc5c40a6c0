package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The two cache levels and single flight, with an injected clock, an injected search and an in-memory L2. */
class SearchCacheTest {
  private final AtomicLong nanos = new AtomicLong();
  private final Map<String, SearchPage> shared = new ConcurrentHashMap<>();
  private final SearchCache.SharedPages l2 = new SearchCache.SharedPages() {
    @Override
    public Optional<SearchPage> page(String key) {
      return Optional.ofNullable(shared.get(key));
    }

    @Override
    public void putPage(String key, SearchPage page) {
      shared.put(key, page);
    }
  };
  private final SearchCache cache = new SearchCache(1 << 20, Duration.ofMinutes(5), nanos::get, l2, new SimpleMeterRegistry());
  private final AtomicInteger computed = new AtomicInteger();

  private SearchPage page(String id, List<SearchPage.Degradation> degraded) {
    computed.incrementAndGet();
    return new SearchPage(List.of(new PageHit(id, 1.0, "t", null, null, null, null, null)), 1, degraded, Map.of());
  }

  @Test
  void aMissIsComputedOnceThenServedFromL1UntilItsTtlThenFromL2() {
    assertThat(cache.get("k", () -> page("a", List.of())).level()).isEqualTo(SearchCache.Level.MISS);
    assertThat(cache.get("k", () -> page("b", List.of())).level()).isEqualTo(SearchCache.Level.L1);
    nanos.addAndGet(Duration.ofMinutes(4).toNanos());
    assertThat(cache.get("k", () -> page("c", List.of())).level()).isEqualTo(SearchCache.Level.L1);
    nanos.addAndGet(Duration.ofMinutes(2).toNanos());
    SearchCache.Lookup fromL2 = cache.get("k", () -> page("d", List.of()));
    assertThat(fromL2.level()).isEqualTo(SearchCache.Level.L2);
    assertThat(fromL2.page().hits().get(0).id()).isEqualTo("a");
    assertThat(new String(fromL2.hitsJson(), java.nio.charset.StandardCharsets.UTF_8)).contains("\"id\":\"a\"");
    assertThat(computed).hasValue(1);
  }

  @Test
  void aDegradedPageIsServedButNeverCached() {
    List<SearchPage.Degradation> degraded = List.of(new SearchPage.Degradation("text", "timeout"));
    assertThat(cache.get("k", () -> page("a", degraded)).level()).isEqualTo(SearchCache.Level.MISS);
    assertThat(cache.get("k", () -> page("a", degraded)).level()).isEqualTo(SearchCache.Level.MISS);
    assertThat(shared).isEmpty();
    assertThat(computed).hasValue(2);
  }

  @Test
  void concurrentIdenticalMissesComputeOnce() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    List<SearchCache.Level> levels = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread first = new Thread(() -> levels.add(cache.get("k", () -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return page("a", List.of());
    }).level()));
    first.start();
    await().until(() -> first.getState() == Thread.State.WAITING);
    for (int i = 0; i < 7; i++) {
      Thread t = new Thread(() -> levels.add(cache.get("k", () -> page("again", List.of())).level()));
      threads.add(t);
      t.start();
    }
    // every other request is parked on the running computation before it is allowed to finish
    await().until(() -> threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
    release.countDown();
    first.join();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(computed).hasValue(1);
    assertThat(levels).hasSize(8).containsOnly(SearchCache.Level.MISS);
  }
}
