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
import dev.companionbrain.core.cache.HydrationEntry;
import dev.companionbrain.core.search.Retriever;
import dev.companionbrain.core.search.ScoredId;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.Function;
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
 * <p>Judging (issue #18): a new generation says what it changed, so instead of letting every window
 * go stale, each L1 window is judged against the changes ({@link WindowJudge}): carried to the new
 * generation when nothing changed touches it, patched when a changed document enters, moves or
 * leaves, and left to the staleness rule above (recomputed) only when it cannot be patched exactly
 * or the changes are not known. A judged window is stored in both levels under the same claim as a
 * refresh, so across instances a window is judged once. A stale window holding a document deleted
 * since is never served.
 *
 * <p>Saturation (issue #25): every computation runs under a {@link ComputeLimit}. A search whose
 * window must be computed when the limit is reached is served the newest window either level holds
 * up to a second, larger staleness bound ({@link Saturation}), else refused with a 429 before any
 * engine is asked; refreshes and warming start only while less than half the limit is taken.
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

  /**
   * What judging needs from the engines; null in the constructor switches judging off (every
   * generation then makes every window stale, as before).
   *
   * @param found for each query (in order), each of its retrievers' hits among the given upserted
   *     ids (their searches restricted to those ids, batched); throws when an engine fails
   * @param displayFields the display fields of the ids it has
   * @param executor runs the judging of each new generation (one thread: generations coalesce)
   */
  record Judging(BiFunction<List<WindowQuery>, List<String>, List<Map<Retriever, List<ScoredId>>>> found,
      Function<List<String>, Map<String, HydrationEntry>> displayFields, Executor executor) {}

  /**
   * What a search may have when the computations are at their limit ({@link ComputeLimit}): a window
   * up to {@code maxStaleMillis} past its generation's supersession (like HTTP's stale-if-error, RFC
   * 5861), never less than the ordinary bound; else a 429. Refreshes and warming that find the limit
   * reached are skipped.
   */
  record Saturation(ComputeLimit computations, long maxStaleMillis) {}

  /** How a window was made current: judged (carried or patched), computed, or not at all (the computations were at their limit). */
  private enum Made { JUDGED, COMPUTED, SATURATED }

  /** Computes a window at a generation (asks the engines, fuses, hydrates). */
  @FunctionalInterface
  interface WindowSearch {
    /** @param freshEmbedding compute the query embedding afresh too (Cache-Control: no-cache) */
    CandidateWindow compute(WindowQuery query, long generation, boolean freshEmbedding);

    /**
     * The window of a search that is answered once and kept nowhere ({@code Cache-Control: no-cache},
     * the query embedding computed afresh too): every hit, and display fields on the page's hits only
     * (those from {@code offset}, at most {@code k}), since no other page is ever cut from it. By
     * default the whole window with every hit's fields.
     */
    default CandidateWindow computePage(WindowQuery query, long generation, int offset, int k) {
      return compute(query, generation, true);
    }
  }

  /**
   * An L1 entry: the window, its hits' JSON, when it was last served and how often since it was
   * stored (what orders the judging of a new generation: the most asked first).
   */
  private record Entry(WindowQuery query, CandidateWindow window, byte[][] hitJson, AtomicLong lastUsed,
      LongAdder uses) {
    static Entry of(WindowQuery query, CandidateWindow window, long lastUsed) {
      return new Entry(query, window, WindowCache.hitJson(window.hits()), new AtomicLong(lastUsed),
          new LongAdder());
    }

    void used(long now) {
      lastUsed.set(now);
      uses.increment();
    }
  }

  /** Windows judged together in one batch; the most asked windows' batch is stored first. */
  static final int JUDGING_BATCH = 25;
  /** A window nobody asked for in this long is not judged at a new generation (it is recomputed if asked again). */
  static final long JUDGED_IF_USED_WITHIN_MILLIS = 30_000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Cache<String, Entry> l1;
  private final SharedWindows l2;
  private final GenerationClock generations;
  private final LongSupplier clock;
  private final long maxStaleMillis;
  private final ComputeLimit computations;
  private final long saturatedMaxStaleMillis;
  private final Counter saturatedStale;
  private final Counter saturatedRefused;
  private final WindowSearch search;
  private final Executor refresher;
  private final Judging judging;
  private final CacheAudit audit;
  private final AtomicBoolean judgePending = new AtomicBoolean();
  private final Map<WindowJudge.Verdict, Counter> judgedWindows = new java.util.EnumMap<>(WindowJudge.Verdict.class);
  private final Counter generationsJudged;
  private final Counter generationsFallback;
  private final Timer judgingTime;
  private final Counter judgingCpu;
  private final Counter idleWindows;
  /** The newest generation whose judging of the L1 windows has finished. */
  private final AtomicLong judgedUpTo = new AtomicLong(-1);
  private volatile long lastJudgingWarning = System.nanoTime() - TimeUnit.MINUTES.toNanos(2);
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WindowCache.class);
  private final ConcurrentHashMap<String, CompletableFuture<Answer>> inFlight = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Boolean> refreshing = new ConcurrentHashMap<>();
  private final Counter l1Hits;
  /** Writing the hits' JSON of the windows computed for an answer (a miss, a no-cache search). */
  private final Timer serialisation;
  private final Counter l1Misses;
  private final Counter l2Hits;
  private final Counter l2Misses;
  private final DistributionSummary staleAnswers;
  private final MeterRegistry registry;
  /** By result: computed, from_l2, claimed_elsewhere, rejected, failed. */
  private final ConcurrentHashMap<String, Counter> refreshCounters = new ConcurrentHashMap<>();

  /**
   * @param clock epoch milliseconds, the clock the generations' publication times are on
   * @param saturation the limit every computation runs under, and what a search gets when it is reached
   * @param refresher runs background refreshes (a small bounded pool; a refused refresh is skipped)
   * @param judging what judging windows against a generation's changes needs, or null for none
   * @param audit audits a sample of the cached answers, or null for none
   */
  WindowCache(long maxBytes, Duration l1Ttl, Ticker ticker, SharedWindows l2, GenerationClock generations,
      LongSupplier clock, long maxStaleMillis, Saturation saturation, WindowSearch search, Executor refresher, Judging judging,
      CacheAudit audit, MeterRegistry registry) {
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
    this.computations = saturation.computations();
    this.saturatedMaxStaleMillis = Math.max(maxStaleMillis, saturation.maxStaleMillis());
    this.saturatedStale = Counter.builder("brain_cache_saturated_answers").tag("result", "stale").register(registry);
    this.saturatedRefused = Counter.builder("brain_cache_saturated_answers")
        .description("searches whose window had to be computed while the computations were at their limit: served "
            + "a stale window, or refused (429)")
        .tag("result", "refused").register(registry);
    this.search = search;
    this.refresher = refresher;
    this.judging = judging;
    this.audit = audit;
    this.registry = registry;
    this.serialisation = SearchStages.timer(registry, SearchStages.SERIALISATION);
    for (WindowJudge.Verdict v : WindowJudge.Verdict.values()) {
      judgedWindows.put(v, Counter.builder("brain_cache_judged_windows")
          .description("cached windows judged against a new generation's changes")
          .tag("result", v.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
    }
    generationsJudged = Counter.builder("brain_cache_judged_generations").tag("result", "judged").register(registry);
    generationsFallback = Counter.builder("brain_cache_judged_generations")
        .description("new generations whose changes were known (judged) or not (fallback: every window stale)")
        .tag("result", "fallback").register(registry);
    judgingTime = Timer.builder("brain_cache_judging").description("time spent judging the cached windows of a generation")
        .register(registry);
    idleWindows = Counter.builder("brain_cache_judged_windows")
        .description("cached windows judged against a new generation's changes")
        .tag("result", "idle").register(registry);
    judgingCpu = Counter.builder("brain_cache_judging_cpu_seconds")
        .description("CPU time of the thread judging the cached windows").register(registry);
    if (judging != null) {
      generations.onNewGeneration(g -> judgeLater());
    }
    refreshes("computed"); // registered at once: the dashboard's panel has a series from the start
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
    Answer local = inL1(key, query);
    if (local != null) {
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

  /**
   * The answer L1 holds for {@code query}, as {@link #get} would give it, or null when L1 has no
   * servable window (then {@link #get} is the way, and counts the miss).
   */
  Answer inL1(WindowQuery query) {
    return inL1(query.canonicalForm(), query);
  }

  /** {@link #fromL1}, counted as a hit when it finds one. */
  private Answer inL1(String key, WindowQuery query) {
    Answer local = fromL1(key, query);
    if (local != null) {
      l1Hits.increment();
    }
    return local;
  }

  /**
   * Computes the window afresh, caching nothing ({@code Cache-Control: no-cache}), for the page from
   * {@code offset} of at most {@code k} hits: only that page's hits are hydrated and written as JSON
   * ({@link WindowSearch#computePage}; the answer's {@code hitJson} holds null elsewhere). At the
   * computations' limit a 429, since the caller asked for no cached window.
   */
  Answer bypass(WindowQuery query, int offset, int k) {
    CandidateWindow window = computations.run(ComputeLimit.Priority.ANSWER,
        () -> search.computePage(query, generations.current(), offset, k)).orElseThrow(this::refusal);
    long serialising = System.nanoTime();
    byte[][] page = hitJson(window.hits(), window.pageFrom(offset), window.pageTo(offset, k));
    serialisation.record(System.nanoTime() - serialising, TimeUnit.NANOSECONDS);
    return new Answer(window, page, Source.BYPASS, 0);
  }

  /** The 429 of a search refused at the computations' limit, counted. */
  private ApiException.TooManyRequests refusal() {
    saturatedRefused.increment();
    return new ApiException.TooManyRequests(
        "the service is computing as many searches as it can (" + computations.limit() + " at once); retry after 1 s");
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
      storeInL1(key, Entry.of(query, shared.get(), clock.getAsLong()));
      return false;
    }
    if (!computations.backgroundMayStart() || !l2.claimRefresh(sharedKey, target)) {
      return false;
    }
    return judgedOrComputed(key, sharedKey, query, target, newest(local, shared)) == Made.COMPUTED;
  }

  private Answer fromL1(String key, WindowQuery query) {
    Entry e = l1.getIfPresent(key);
    if (e == null) {
      return null;
    }
    long stale = generations.staleMillis(e.window().generation(), clock.getAsLong());
    if (stale > maxStaleMillis || (stale > 0 && holdsDeleted(e.window()))) {
      return null; // past the bound, or holding a document deleted since: never served
    }
    e.used(clock.getAsLong());
    if (stale > 0) {
      staleAnswers.record(stale);
      refreshLater(key, query);
    } else if (audit != null) {
      audit.sample(query, e.window());
    }
    return new Answer(e.window(), e.hitJson(), Source.L1, stale);
  }

  private Answer load(String key, WindowQuery query) {
    String sharedKey = WindowQuery.cacheKeyOf(key);
    Optional<CandidateWindow> shared = l2.window(sharedKey);
    if (shared.isPresent()) {
      long stale = generations.staleMillis(shared.get().generation(), clock.getAsLong());
      if (stale <= maxStaleMillis && !(stale > 0 && holdsDeleted(shared.get()))) {
        l2Hits.increment();
        Entry entry = Entry.of(query, shared.get(), clock.getAsLong());
        storeInL1(key, entry);
        if (stale > 0) {
          staleAnswers.record(stale);
          refreshLater(key, query);
        } else if (audit != null) {
          audit.sample(query, shared.get());
        }
        return new Answer(entry.window(), entry.hitJson(), Source.L2, stale);
      }
    }
    l2Misses.increment();
    Optional<CandidateWindow> computed = computations.run(ComputeLimit.Priority.ANSWER,
        () -> search.compute(query, generations.current(), false));
    if (computed.isEmpty()) {
      return staleWhenSaturated(key, query, shared);
    }
    CandidateWindow window = computed.get();
    long serialising = System.nanoTime();
    Entry entry = Entry.of(query, window, clock.getAsLong());
    serialisation.record(System.nanoTime() - serialising, TimeUnit.NANOSECONDS);
    if (window.degraded().isEmpty()) {
      storeInL1(key, entry);
      l2.putWindow(sharedKey, window);
    }
    return new Answer(window, entry.hitJson(), Source.MISS, 0);
  }

  /**
   * The answer of a search whose window must be computed while the computations are at their limit:
   * the newest window either level holds, when it is within the saturated bound and holds no document
   * deleted since (served stale); else a 429, at once, before any engine is asked.
   */
  private Answer staleWhenSaturated(String key, WindowQuery query, Optional<CandidateWindow> shared) {
    Entry local = l1.getIfPresent(key);
    CandidateWindow newest = newest(local, shared);
    if (newest != null) {
      long stale = generations.staleMillis(newest.generation(), clock.getAsLong());
      if (stale <= saturatedMaxStaleMillis && !(stale > 0 && holdsDeleted(newest))) {
        boolean inL1 = local != null && local.window() == newest;
        Entry entry = inL1 ? local : Entry.of(query, newest, clock.getAsLong());
        if (!inL1) {
          storeInL1(key, entry);
        }
        entry.used(clock.getAsLong());
        saturatedStale.increment();
        staleAnswers.record(stale);
        return new Answer(newest, entry.hitJson(), inL1 ? Source.L1 : Source.L2, stale);
      }
    }
    throw refusal();
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
    Entry local = l1.getIfPresent(key);
    if (judging != null && judgedUpTo.get() < target && local != null
        && generations.changes(local.window().generation(), target).isPresent()) {
      // the generation's judging has this window to do, most asked first: judging it here as well
      // would ask the engines twice (measured: the refreshes of the hot windows doubled the judging's load)
      refreshes("left_to_judging").increment();
      return;
    }
    String sharedKey = WindowQuery.cacheKeyOf(key);
    Optional<CandidateWindow> shared = l2.window(sharedKey);
    if (shared.isPresent() && shared.get().generation() >= target) {
      storeInL1(key, Entry.of(query, shared.get(), clock.getAsLong())); // another instance (or the warming) refreshed it
      refreshes("from_l2").increment();
      return;
    }
    if (!computations.backgroundMayStart()) {
      refreshes("saturated").increment(); // before the claim: another instance, or a later refresh, may do it
      return;
    }
    if (!l2.claimRefresh(sharedKey, target)) {
      refreshes("claimed_elsewhere").increment();
      return;
    }
    Made made = judgedOrComputed(key, sharedKey, query, target, newest(local, shared));
    refreshes(made.name().toLowerCase(java.util.Locale.ROOT)).increment();
  }

  /**
   * Makes the window current at {@code target}, claimed by this instance: judged from {@code base}
   * when that is possible, computed otherwise, in the background's turn (skipped when the computations
   * are at half their limit: the window then stays as it is, and the staleness rule decides).
   */
  private Made judgedOrComputed(String key, String sharedKey, WindowQuery query, long target, CandidateWindow base) {
    if (judging != null && base != null && base.generation() < target) {
      Optional<GenerationChanges> changes = generations.changes(base.generation(), target);
      if (changes.isPresent()) {
        WindowJudge.Judgement j = judgeBatch(List.of(query), List.of(base), changes.get(), target, null).get(0);
        if (j.verdict() != WindowJudge.Verdict.RECOMPUTE) {
          store(key, sharedKey, query, j.window());
          return Made.JUDGED;
        }
      }
    }
    Optional<CandidateWindow> computed = computations.run(ComputeLimit.Priority.BACKGROUND,
        () -> search.compute(query, target, false));
    computed.ifPresent(window -> store(key, sharedKey, query, window));
    return computed.isPresent() ? Made.COMPUTED : Made.SATURATED;
  }

  private static CandidateWindow newest(Entry local, Optional<CandidateWindow> shared) {
    CandidateWindow a = local == null ? null : local.window();
    CandidateWindow b = shared.orElse(null);
    return a == null ? b : b == null || a.generation() >= b.generation() ? a : b;
  }

  private void store(String key, String sharedKey, WindowQuery query, CandidateWindow window) {
    Entry old = l1.getIfPresent(key);
    store(key, sharedKey, query, window, old == null ? clock.getAsLong() : old.lastUsed().get());
  }

  private void store(String key, String sharedKey, WindowQuery query, CandidateWindow window, long lastUsed) {
    if (window.degraded().isEmpty()) {
      storeInL1(key, Entry.of(query, window, lastUsed));
      l2.putWindow(sharedKey, window);
    }
  }

  /** Puts the entry in L1 unless L1 holds the window at a newer generation already. */
  private void storeInL1(String key, Entry entry) {
    l1.asMap().merge(key, entry,
        (old, fresh) -> old.window().generation() > fresh.window().generation() ? old : fresh);
  }

  /** Whether the window holds a document deleted by a generation after its own (as far as they are known). */
  private boolean holdsDeleted(CandidateWindow window) {
    Optional<GenerationChanges> since = generations.changes(window.generation(), generations.current());
    if (since.isEmpty() || since.get().deleted().isEmpty()) {
      return false;
    }
    Set<String> deleted = since.get().deleted();
    return window.hits().stream().anyMatch(h -> deleted.contains(h.id()));
  }

  /** Judging of the L1 windows runs once per new generation; generations that come while it runs coalesce. */
  private void judgeLater() {
    if (judgePending.getAndSet(true)) {
      return;
    }
    try {
      judging.executor().execute(() -> {
        judgePending.set(false);
        try {
          judgeCached();
        } catch (RuntimeException e) {
          // the windows stay as they are: the staleness rule recomputes them
        }
      });
    } catch (RejectedExecutionException e) {
      judgePending.set(false);
    }
  }

  /**
   * Judges every L1 window older than the current generation against what changed since: carried or
   * patched windows are stored at the current generation in both levels (claimed, so each is judged
   * once across instances); the others are left to the staleness rule.
   */
  void judgeCached() {
    long target = generations.current();
    long began = System.nanoTime();
    long cpuBegan = threadCpuNanos();
    long now = clock.getAsLong();
    List<Map.Entry<String, Entry>> stale = new ArrayList<>();
    l1.asMap().forEach((key, e) -> {
      if (e.window().generation() < target && e.window().degraded().isEmpty()) {
        if (now - e.lastUsed().get() <= JUDGED_IF_USED_WITHIN_MILLIS) {
          stale.add(Map.entry(key, e));
        } else {
          idleWindows.increment();
        }
      }
    });
    if (stale.isEmpty()) {
      judgedUpTo.accumulateAndGet(target, Math::max);
      return;
    }
    // the most asked first, in batches: they are current again after the first batch's round trip
    stale.sort(java.util.Comparator.comparingLong((Map.Entry<String, Entry> e) -> e.getValue().uses().sum()).reversed());
    boolean known = true;
    // per generation the windows come from: what changed since, and the upserted documents' display
    // fields, read once for all its batches
    Map<Long, Optional<GenerationChanges>> changesSince = new java.util.HashMap<>();
    Map<Long, Map<String, HydrationEntry>> upsertedFields = new java.util.HashMap<>();
    for (int from = 0; from < stale.size() && generations.current() == target; from += JUDGING_BATCH) {
      Map<Long, List<Map.Entry<String, Entry>>> byGeneration = new java.util.TreeMap<>();
      for (Map.Entry<String, Entry> e : stale.subList(from, Math.min(stale.size(), from + JUDGING_BATCH))) {
        byGeneration.computeIfAbsent(e.getValue().window().generation(), g -> new ArrayList<>()).add(e);
      }
      for (Map.Entry<Long, List<Map.Entry<String, Entry>>> group : byGeneration.entrySet()) {
        List<Map.Entry<String, Entry>> entries = group.getValue();
        Optional<GenerationChanges> changes =
            changesSince.computeIfAbsent(group.getKey(), g -> generations.changes(g, target));
        if (changes.isEmpty()) {
          known = false;
          judgedWindows.get(WindowJudge.Verdict.RECOMPUTE).increment(entries.size());
          continue;
        }
        List<WindowJudge.Judgement> verdicts = judgeBatch(entries.stream().map(e -> e.getValue().query()).toList(),
            entries.stream().map(e -> e.getValue().window()).toList(), changes.get(), target,
            knownFields(upsertedFields, group.getKey(), changes.get()));
        for (int i = 0; i < entries.size(); i++) {
          WindowJudge.Judgement j = verdicts.get(i);
          if (j.verdict() == WindowJudge.Verdict.RECOMPUTE) {
            continue;
          }
          String key = entries.get(i).getKey();
          String sharedKey = WindowQuery.cacheKeyOf(key);
          if (l2.claimRefresh(sharedKey, target)) {
            store(key, sharedKey, entries.get(i).getValue().query(), j.window(), entries.get(i).getValue().lastUsed().get());
          }
        }
      }
    }
    judgedUpTo.accumulateAndGet(target, Math::max);
    (known ? generationsJudged : generationsFallback).increment();
    judgingTime.record(System.nanoTime() - began, TimeUnit.NANOSECONDS);
    judgingCpu.increment((threadCpuNanos() - cpuBegan) / 1e9);
  }

  /**
   * Judges windows that share their changes: the upserted documents' scores for every query in one
   * batched request per retriever, their display fields in one read (or those given, read for an
   * earlier batch of the same changes). An engine that fails makes every window of the batch
   * {@link WindowJudge.Verdict#RECOMPUTE}.
   *
   * @param knownFields the upserted documents' display fields when already read, else null
   */
  private List<WindowJudge.Judgement> judgeBatch(List<WindowQuery> queries, List<CandidateWindow> windows,
      GenerationChanges changes, long target, Map<String, HydrationEntry> knownFields) {
    List<String> upserted = List.copyOf(changes.upserted());
    List<Map<Retriever, List<ScoredId>>> found;
    Map<String, HydrationEntry> fields;
    try {
      found = upserted.isEmpty() ? null : judging.found().apply(queries, upserted);
      fields = knownFields != null ? knownFields : upsertedFields(changes);
    } catch (RuntimeException e) {
      judgedWindows.get(WindowJudge.Verdict.RECOMPUTE).increment(windows.size());
      long now = System.nanoTime();
      if (now - lastJudgingWarning > TimeUnit.MINUTES.toNanos(1)) { // one line a minute at most
        lastJudgingWarning = now;
        LOG.warn("cannot judge {} cached windows at generation {} ({}); they are recomputed", windows.size(), target,
            e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse(""));
      }
      return windows.stream().map(w -> new WindowJudge.Judgement(WindowJudge.Verdict.RECOMPUTE, null)).toList();
    }
    Function<List<String>, Map<String, HydrationEntry>> displayFields = ids -> {
      Map<String, HydrationEntry> out = new java.util.HashMap<>();
      List<String> rest = new ArrayList<>();
      for (String id : ids) {
        HydrationEntry f = fields.get(id);
        if (f != null) {
          out.put(id, f);
        } else {
          rest.add(id);
        }
      }
      if (!rest.isEmpty()) {
        out.putAll(judging.displayFields().apply(rest));
      }
      return out;
    };
    List<WindowJudge.Judgement> out = new ArrayList<>(windows.size());
    for (int i = 0; i < windows.size(); i++) {
      WindowJudge.Judgement j = WindowJudge.judge(queries.get(i), windows.get(i), changes, target,
          found == null ? Map.of() : found.get(i), displayFields);
      judgedWindows.get(j.verdict()).increment();
      out.add(j);
    }
    return out;
  }

  /** The display fields of the documents {@code changes} upserted: one read. */
  private Map<String, HydrationEntry> upsertedFields(GenerationChanges changes) {
    return changes.upserted().isEmpty() ? Map.of() : judging.displayFields().apply(List.copyOf(changes.upserted()));
  }

  /**
   * The upserted documents' display fields of the windows of {@code generation}, read once per
   * judging run for all their batches; null when the read fails (the batch then tries, and fails, itself).
   */
  private Map<String, HydrationEntry> knownFields(Map<Long, Map<String, HydrationEntry>> read, long generation,
      GenerationChanges changes) {
    try {
      return read.computeIfAbsent(generation, g -> upsertedFields(changes));
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

  private static long threadCpuNanos() {
    return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
  }

  private Counter refreshes(String result) {
    return refreshCounters.computeIfAbsent(result,
        r -> Counter.builder("brain_cache_refreshes").tag("result", r).register(registry));
  }

  static byte[][] hitJson(List<PageHit> hits) {
    return hitJson(hits, 0, hits.size());
  }

  /** The JSON of the hits from {@code from} to {@code to} (exclusive), at their index; null elsewhere. */
  static byte[][] hitJson(List<PageHit> hits, int from, int to) {
    byte[][] json = new byte[hits.size()][];
    try {
      for (int i = from; i < to; i++) {
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
