package dev.companionbrain.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.companionbrain.core.search.WindowQuery;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;

/**
 * The two cache levels in front of the engines, keyed by {@link WindowQuery} and holding whole
 * {@link CandidateWindow}s: L1 Caffeine in this process (bounded by weight, TTL), L2 shared by every
 * instance (Redis).
 *
 * <p>Bounded staleness: a window computed at a generation that has since been superseded is still
 * served for at most {@code maxStaleMillis} after it was superseded, while one background refresh
 * recomputes it (single flight in this instance, and across instances: the instance that claims the
 * refresh in L2 computes, the others pick its result up from L2). Past the bound a window is never
 * served: the request computes (concurrent identical requests compute once). With a bound of 0 only
 * current windows are served. Degraded windows are served but never cached.
 *
 * <p>Time comes from an injected clock (staleness) and an injected {@link Ticker} (L1 expiry); the
 * search is an injected function, so every rule here is tested without engines.
 */
final class WindowCache {
  /** Where an answer came from. */
  enum Source { L1, L2, MISS, BYPASS }

  /**
   * A window, its hits already serialised without their parts (L1 keeps both, so a hit costs no
   * JSON work for the hits), where it came from and how stale it was.
   */
  record Answer(CandidateWindow window, byte[][] hitJson, Source source, long staleMillis) {}

  /** The shared level (see {@link RedisStore}). */
  interface SharedWindows {
    /** The window, or empty when it is not there or the store does not answer in time. */
    Optional<CandidateWindow> window(String key);

    /** Stores the window without waiting; a failure is counted, never thrown. */
    void putWindow(String key, CandidateWindow window);

    /**
     * Whether this instance should compute {@code key} at {@code generation}: true for the first
     * instance that asks (for a few seconds), and when the store does not answer (better twice than never).
     */
    boolean claimRefresh(String key, long generation);
  }

  /** Computes a window at a generation (asks the engines, fuses, hydrates). */
  @FunctionalInterface
  interface WindowSearch {
    /** @param freshEmbedding compute the query embedding afresh too (Cache-Control: no-cache) */
    CandidateWindow compute(WindowQuery query, long generation, boolean freshEmbedding);
  }

  private record Entry(CandidateWindow window, byte[][] hitJson) {
    static Entry of(CandidateWindow window) {
      return new Entry(window, WindowCache.hitJson(window.hits()));
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Cache<String, Entry> l1;
  private final SharedWindows l2;
  private final GenerationClock generations;
  private final LongSupplier clock;
  private final long maxStaleMillis;
  private final WindowSearch search;
  private final Executor refresher;
  private final ConcurrentHashMap<String, CompletableFuture<Answer>> inFlight = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Boolean> refreshing = new ConcurrentHashMap<>();
  private final Counter l1Hits;
  private final Counter l1Misses;
  private final Counter l2Hits;
  private final Counter l2Misses;
  private final DistributionSummary staleAnswers;
  private final MeterRegistry registry;
  /** By result: computed, from_l2, claimed_elsewhere, rejected, failed. */
  private final ConcurrentHashMap<String, Counter> refreshCounters = new ConcurrentHashMap<>();

  /**
   * @param clock epoch milliseconds, the clock the generations' publication times are on
   * @param refresher runs background refreshes (a small bounded pool; a refused refresh is skipped)
   */
  WindowCache(long maxBytes, Duration l1Ttl, Ticker ticker, SharedWindows l2, GenerationClock generations,
      LongSupplier clock, long maxStaleMillis, WindowSearch search, Executor refresher, MeterRegistry registry) {
    this.l1 = Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((String key, Entry e) -> key.length() * 2 + e.window().weight() + jsonLength(e.hitJson()))
        .expireAfterWrite(l1Ttl)
        .ticker(ticker)
        .build();
    this.l2 = l2;
    this.generations = generations;
    this.clock = clock;
    this.maxStaleMillis = maxStaleMillis;
    this.search = search;
    this.refresher = refresher;
    this.registry = registry;
    l1Hits = Counter.builder("brain_cache_requests").tag("level", "l1").tag("result", "hit").register(registry);
    l1Misses = Counter.builder("brain_cache_requests").tag("level", "l1").tag("result", "miss").register(registry);
    l2Hits = Counter.builder("brain_cache_requests").tag("level", "l2").tag("result", "hit").register(registry);
    l2Misses = Counter.builder("brain_cache_requests").tag("level", "l2").tag("result", "miss").register(registry);
    registry.gauge("brain_cache_hit_ratio", List.of(Tag.of("level", "l1")), this, c -> ratio(c.l1Hits, c.l1Misses));
    registry.gauge("brain_cache_hit_ratio", List.of(Tag.of("level", "l2")), this, c -> ratio(c.l2Hits, c.l2Misses));
    staleAnswers = DistributionSummary.builder("brain_cache_stale_answer_ms")
        .description("how long past its generation's supersession a stale cached window was when served")
        .publishPercentileHistogram().register(registry);
  }

  private static double ratio(Counter hits, Counter misses) {
    double total = hits.count() + misses.count();
    return total == 0 ? 0 : hits.count() / total;
  }

  /** The window of {@code query}: cached when a level has it within the staleness bound, else computed. */
  Answer get(WindowQuery query) {
    String key = query.canonicalForm();
    Answer local = fromL1(key, query);
    if (local != null) {
      l1Hits.increment();
      return local;
    }
    l1Misses.increment();
    CompletableFuture<Answer> mine = new CompletableFuture<>();
    CompletableFuture<Answer> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      try {
        return running.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    try {
      // a request that missed L1 just before the previous computation stored its window, and came
      // here just after that computation left, finds the window now instead of computing it again
      Answer stored = fromL1(key, query);
      Answer answer = stored != null ? stored : load(key, query);
      mine.complete(answer);
      return answer;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
    }
  }

  /** Computes the window afresh, caching nothing ({@code Cache-Control: no-cache}). */
  Answer bypass(WindowQuery query) {
    CandidateWindow window = search.compute(query, generations.current(), true);
    return new Answer(window, hitJson(window.hits()), Source.BYPASS, 0);
  }

  /**
   * Makes the window of {@code query} current at {@code generation} in both levels, unless a level
   * already has it at that generation or newer, or another instance claimed it.
   *
   * @return whether this call computed it
   */
  boolean warm(WindowQuery query, long generation) {
    String key = query.canonicalForm();
    long target = Math.max(generation, generations.current());
    Entry local = l1.getIfPresent(key);
    if (local != null && local.window().generation() >= target) {
      return false;
    }
    String sharedKey = WindowQuery.cacheKeyOf(key);
    Optional<CandidateWindow> shared = l2.window(sharedKey);
    if (shared.isPresent() && shared.get().generation() >= target) {
      l1.put(key, Entry.of(shared.get()));
      return false;
    }
    if (!l2.claimRefresh(sharedKey, target)) {
      return false;
    }
    store(key, sharedKey, search.compute(query, target, false));
    return true;
  }

  private Answer fromL1(String key, WindowQuery query) {
    Entry e = l1.getIfPresent(key);
    if (e == null) {
      return null;
    }
    long stale = generations.staleMillis(e.window().generation(), clock.getAsLong());
    if (stale > maxStaleMillis) {
      return null; // past the bound: never served
    }
    if (stale > 0) {
      staleAnswers.record(stale);
      refreshLater(key, query);
    }
    return new Answer(e.window(), e.hitJson(), Source.L1, stale);
  }

  private Answer load(String key, WindowQuery query) {
    String sharedKey = WindowQuery.cacheKeyOf(key);
    Optional<CandidateWindow> shared = l2.window(sharedKey);
    if (shared.isPresent()) {
      long stale = generations.staleMillis(shared.get().generation(), clock.getAsLong());
      if (stale <= maxStaleMillis) {
        l2Hits.increment();
        Entry entry = Entry.of(shared.get());
        l1.put(key, entry);
        if (stale > 0) {
          staleAnswers.record(stale);
          refreshLater(key, query);
        }
        return new Answer(entry.window(), entry.hitJson(), Source.L2, stale);
      }
    }
    l2Misses.increment();
    CandidateWindow window = search.compute(query, generations.current(), false);
    Entry entry = Entry.of(window);
    if (window.degraded().isEmpty()) {
      l1.put(key, entry);
      l2.putWindow(sharedKey, window);
    }
    return new Answer(window, entry.hitJson(), Source.MISS, 0);
  }

  /** One background refresh per window at a time; when the pool is full the window is simply not refreshed early. */
  private void refreshLater(String key, WindowQuery query) {
    if (refreshing.putIfAbsent(key, Boolean.TRUE) != null) {
      return;
    }
    try {
      refresher.execute(() -> {
        try {
          refresh(key, query);
        } catch (RuntimeException e) {
          refreshes("failed").increment(); // the next request past the bound computes it
        } finally {
          refreshing.remove(key);
        }
      });
    } catch (RejectedExecutionException e) {
      refreshing.remove(key);
      refreshes("rejected").increment();
    }
  }

  private void refresh(String key, WindowQuery query) {
    long target = generations.current();
    String sharedKey = WindowQuery.cacheKeyOf(key);
    Optional<CandidateWindow> shared = l2.window(sharedKey);
    if (shared.isPresent() && shared.get().generation() >= target) {
      l1.put(key, Entry.of(shared.get())); // another instance (or the warming) refreshed it
      refreshes("from_l2").increment();
      return;
    }
    if (!l2.claimRefresh(sharedKey, target)) {
      refreshes("claimed_elsewhere").increment();
      return;
    }
    store(key, sharedKey, search.compute(query, target, false));
    refreshes("computed").increment();
  }

  private void store(String key, String sharedKey, CandidateWindow window) {
    if (window.degraded().isEmpty()) {
      l1.put(key, Entry.of(window));
      l2.putWindow(sharedKey, window);
    }
  }

  private Counter refreshes(String result) {
    return refreshCounters.computeIfAbsent(result,
        r -> Counter.builder("brain_cache_refreshes").tag("result", r).register(registry));
  }

  static byte[][] hitJson(List<PageHit> hits) {
    byte[][] json = new byte[hits.size()][];
    try {
      for (int i = 0; i < json.length; i++) {
        json[i] = JSON.writeValueAsBytes(hits.get(i).withoutParts());
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return json;
  }

  private static int jsonLength(byte[][] json) {
    int n = 0;
    for (byte[] b : json) {
      n += b.length;
    }
    return n;
  }
}
