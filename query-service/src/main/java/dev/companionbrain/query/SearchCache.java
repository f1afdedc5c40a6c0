package dev.companionbrain.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Two cache levels in front of the backends: L1 Caffeine in this process (bounded by weight, TTL),
 * L2 Redis shared by every instance (TTL). Keys carry the index generation, so a new generation
 * never sees older entries. Concurrent identical misses compute once (single flight). Degraded
 * pages are served but never cached.
 */
final class SearchCache {
  /** Where a page came from. */
  enum Level { L1, L2, MISS, BYPASS }

  /** A page and its hits already serialised (L1 keeps both, so a hit costs no JSON work for the hits). */
  record Lookup(SearchPage page, byte[] hitsJson, Level level) {}

  private record Entry(SearchPage page, byte[] hitsJson) {}

  /** The shared level: pages by the hash of their key ({@link SharedCache} keeps them in Redis). */
  interface SharedPages {
    /** The page, or empty when it is not there or the store does not answer in time. */
    Optional<SearchPage> page(String key);

    /** Stores the page without waiting; a failure is counted, never thrown. */
    void putPage(String key, SearchPage page);
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
  private final Cache<String, Entry> l1;
  private final SharedPages l2;
  private final ConcurrentHashMap<String, CompletableFuture<Lookup>> inFlight = new ConcurrentHashMap<>();
  private final Counter l1Hits;
  private final Counter l1Misses;
  private final Counter l2Hits;
  private final Counter l2Misses;

  SearchCache(long maxBytes, Duration ttl, Ticker ticker, SharedPages l2, MeterRegistry registry) {
    this.l1 = Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((String key, Entry e) -> key.length() * 2 + e.page().weight() + e.hitsJson().length)
        .expireAfterWrite(ttl)
        .ticker(ticker)
        .build();
    this.l2 = l2;
    l1Hits = Counter.builder("brain_cache_requests").tag("level", "l1").tag("result", "hit").register(registry);
    l1Misses = Counter.builder("brain_cache_requests").tag("level", "l1").tag("result", "miss").register(registry);
    l2Hits = Counter.builder("brain_cache_requests").tag("level", "l2").tag("result", "hit").register(registry);
    l2Misses = Counter.builder("brain_cache_requests").tag("level", "l2").tag("result", "miss").register(registry);
    registry.gauge("brain_cache_hit_ratio", java.util.List.of(io.micrometer.core.instrument.Tag.of("level", "l1")), this,
        c -> ratio(c.l1Hits, c.l1Misses));
    registry.gauge("brain_cache_hit_ratio", java.util.List.of(io.micrometer.core.instrument.Tag.of("level", "l2")), this,
        c -> ratio(c.l2Hits, c.l2Misses));
  }

  private static double ratio(Counter hits, Counter misses) {
    double total = hits.count() + misses.count();
    return total == 0 ? 0 : hits.count() / total;
  }

  /**
   * @param key the request's {@link dev.companionbrain.core.search.SearchQuery#canonicalForm}: L1
   *     uses it as it is (a hit costs no hashing); L2 uses its hash
   */
  Lookup get(String key, Supplier<SearchPage> compute) {
    Entry local = l1.getIfPresent(key);
    if (local != null) {
      l1Hits.increment();
      return new Lookup(local.page(), local.hitsJson(), Level.L1);
    }
    l1Misses.increment();
    CompletableFuture<Lookup> mine = new CompletableFuture<>();
    CompletableFuture<Lookup> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      try {
        return running.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    try {
      // a request that missed L1 just before the previous computation stored its page, and came
      // here just after that computation left, finds the page now instead of computing it again
      Entry stored = l1.getIfPresent(key);
      Lookup lookup = stored != null ? new Lookup(stored.page(), stored.hitsJson(), Level.L1) : load(key, compute);
      mine.complete(lookup);
      return lookup;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
    }
  }

  private Lookup load(String key, Supplier<SearchPage> compute) {
    String sharedKey = dev.companionbrain.core.search.SearchQuery.cacheKeyOf(key);
    Optional<SearchPage> shared = l2.page(sharedKey);
    if (shared.isPresent()) {
      l2Hits.increment();
      byte[] hits = hitsJson(shared.get());
      l1.put(key, new Entry(shared.get(), hits));
      return new Lookup(shared.get(), hits, Level.L2);
    }
    l2Misses.increment();
    SearchPage page = compute.get();
    byte[] hits = hitsJson(page);
    if (page.degraded().isEmpty()) {
      l1.put(key, new Entry(page, hits));
      l2.putPage(sharedKey, page);
    }
    return new Lookup(page, hits, Level.MISS);
  }

  static byte[] hitsJson(SearchPage page) {
    try {
      return JSON.writeValueAsBytes(page.hits());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Drops every L1 entry (their keys carry an older generation anyway: this frees the memory). */
  void clearLocal() {
    l1.invalidateAll();
  }
}
