package dev.companionbrain.query;

import dev.companionbrain.core.search.BadRequestException;
import dev.companionbrain.core.search.FusedHit;
import dev.companionbrain.core.search.Retriever;
import dev.companionbrain.core.search.ScoredId;
import dev.companionbrain.core.search.WindowQuery;
import dev.companionbrain.core.search.backend.Retrieval;
import dev.companionbrain.core.search.backend.RetrievalRequest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the retrievers of a query in parallel, each with its own timeout and circuit breaker, and
 * fuses what came back. A retriever that fails, times out or whose breaker is open is skipped and
 * reported as a degradation; only when every retriever fails is the search an error.
 */
final class HybridSearcher {
  private final Map<Retriever, Retrieval> retrievals;
  private final Map<Retriever, Duration> timeouts;
  private final Map<Retriever, CircuitBreaker> breakers = new EnumMap<>(Retriever.class);
  private final Map<Retriever, java.time.Instant> stateSince = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<Retriever, Timer> latency = new EnumMap<>(Retriever.class);
  private final QueryEmbeddings embeddings;
  private final ServedIndex served;
  private final int reserve;
  private final Timer fusion;

  /**
   * The fused candidates of one search (the window, before paging), the ranked lists they were fused
   * from (each up to {@code depth} hits: the window's size and its reserve), and how each retriever
   * fared.
   */
  record Outcome(List<FusedHit> window, List<CandidateWindow.Degradation> degraded, Map<String, Long> backendMillis,
      Map<Retriever, List<ScoredId>> lists, int depth, int indexVersion) {
    Outcome(List<FusedHit> window, List<CandidateWindow.Degradation> degraded, Map<String, Long> backendMillis) {
      this(window, degraded, backendMillis, Map.of(), 0, dev.companionbrain.core.index.IndexVersions.SERVED);
    }
  }

  /**
   * @param served the version each search asks every retriever on, and its model's embedder
   * @param reserve how many candidates past a window's size each retriever fetches and the window
   *     keeps, so a window that loses hits to deletes or updates can still be patched exactly
   */
  HybridSearcher(Map<Retriever, Retrieval> retrievals, Map<Retriever, Duration> timeouts, QueryEmbeddings embeddings,
      ServedIndex served, int reserve, MeterRegistry registry) {
    this.served = served;
    this.reserve = reserve;
    this.retrievals = retrievals;
    this.timeouts = timeouts;
    this.embeddings = embeddings;
    this.fusion = SearchStages.timer(registry, SearchStages.FUSION);
    CircuitBreakerConfig config = CircuitBreakerConfig.custom()
        .slidingWindowSize(20)
        .minimumNumberOfCalls(5)
        .failureRateThreshold(50)
        .waitDurationInOpenState(Duration.ofSeconds(5))
        .permittedNumberOfCallsInHalfOpenState(2)
        // only the backend's own failures count; the others release their permission and are ignored
        .ignoreException(failure -> RetrievalFailure.of(failure) != RetrievalFailure.BACKEND)
        .build();
    for (Retriever r : Retriever.values()) {
      CircuitBreaker breaker = CircuitBreaker.of(r.wireName(), config);
      breaker.getEventPublisher().onStateTransition(e -> stateSince.put(r, e.getCreationTime().toInstant()));
      breakers.put(r, breaker);
      latency.put(r, Timer.builder("brain_backend_latency").description("retriever latency, embedding included for vector")
          .tag("retriever", r.wireName()).publishPercentileHistogram().register(registry));
    }
  }

  /**
   * The window's fused candidates: every retriever of the query fetches {@code query.size()}
   * candidates and the reserve, the fusion fuses the first {@code query.size()} of each list and
   * keeps that many ({@link WindowQuery#fuse}). Every retriever searches one version of the index,
   * the one served when the search began ({@link ServedIndex}), and the query is embedded by its model.
   *
   * @param bypassCache also compute the query embedding afresh (Cache-Control: no-cache)
   */
  Outcome search(WindowQuery query, boolean bypassCache) {
    Map<Retriever, CompletableFuture<List<ScoredId>>> calls = new EnumMap<>(Retriever.class);
    Map<Retriever, Long> started = new EnumMap<>(Retriever.class);
    List<CandidateWindow.Degradation> degraded = new ArrayList<>();
    int depth = query.size() + reserve;
    ServedIndex.Version version = served.current();
    RetrievalRequest base = new RetrievalRequest(query.q(), null, query.tags(), depth);
    for (Retriever r : query.retrievers()) {
      CircuitBreaker breaker = breakers.get(r);
      if (!breaker.tryAcquirePermission()) {
        degraded.add(new CandidateWindow.Degradation(r.wireName(), "circuit_open"));
        continue;
      }
      started.put(r, System.nanoTime());
      calls.put(r, call(r, version, base, bypassCache).orTimeout(timeouts.get(r).toMillis(), TimeUnit.MILLISECONDS));
    }
    Map<Retriever, List<ScoredId>> lists = new EnumMap<>(Retriever.class);
    Map<String, Long> millis = new LinkedHashMap<>();
    Throwable refusedRequest = null;
    Retriever refusedBy = null;
    for (var entry : calls.entrySet()) {
      Retriever r = entry.getKey();
      CircuitBreaker breaker = breakers.get(r);
      try {
        List<ScoredId> hits = entry.getValue().join();
        long nanos = System.nanoTime() - started.get(r);
        breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        latency.get(r).record(nanos, TimeUnit.NANOSECONDS);
        millis.put(r.wireName(), TimeUnit.NANOSECONDS.toMillis(nanos));
        lists.put(r, hits);
      } catch (CompletionException e) {
        long nanos = System.nanoTime() - started.get(r);
        Throwable cause = e.getCause() == null ? e : e.getCause();
        breaker.onError(nanos, TimeUnit.NANOSECONDS, cause); // counted only when the backend is at fault
        millis.put(r.wireName(), TimeUnit.NANOSECONDS.toMillis(nanos));
        degraded.add(new CandidateWindow.Degradation(r.wireName(), reason(cause)));
        if (refusedRequest == null && RetrievalFailure.of(cause) == RetrievalFailure.REQUEST) {
          refusedRequest = cause;
          refusedBy = r;
        }
      }
    }
    if (refusedRequest != null) {
      throw new BadRequestException("invalid_query", "the " + refusedBy.wireName() + " retriever cannot search for this query ("
          + refusal(refusedRequest) + ")");
    }
    if (lists.isEmpty()) {
      throw ApiException.unavailable("no search backend answered: " + degraded);
    }
    long fusing = System.nanoTime();
    List<FusedHit> fused = query.fuse(lists);
    fusion.record(System.nanoTime() - fusing, TimeUnit.NANOSECONDS);
    return new Outcome(fused, degraded, millis, lists, depth, version.version());
  }

  /**
   * For each query (in order), each of its retrievers' hits among {@code ids}, with the scores its
   * full search gives them: every retriever answers all the queries in one batched request
   * ({@link Retrieval#searchEach}) restricted to the ids. What judging a generation's changes
   * against the cached windows needs; not counted by the breakers (a failure only means the
   * windows are recomputed instead).
   *
   * @throws RuntimeException when a retriever fails or takes longer than {@code timeout}
   */
  List<Map<Retriever, List<ScoredId>>> among(List<WindowQuery> queries, List<String> ids, Duration timeout) {
    Map<Retriever, List<Integer>> asking = new EnumMap<>(Retriever.class);
    for (int i = 0; i < queries.size(); i++) {
      for (Retriever r : queries.get(i).retrievers()) {
        asking.computeIfAbsent(r, x -> new ArrayList<>()).add(i);
      }
    }
    Map<Retriever, CompletableFuture<List<List<ScoredId>>>> calls = new EnumMap<>(Retriever.class);
    ServedIndex.Version version = served.current();
    for (var entry : asking.entrySet()) {
      Retriever r = entry.getKey();
      List<CompletableFuture<RetrievalRequest>> requests = new ArrayList<>();
      for (int i : entry.getValue()) {
        WindowQuery q = queries.get(i);
        CompletableFuture<float[]> vector = r == Retriever.VECTOR ? embeddings.embed(version.embedder(), q.q(), false)
            : CompletableFuture.completedFuture(null);
        requests.add(vector.thenApply(v -> new RetrievalRequest(q.q(), v, q.tags(), ids.size(), ids)));
      }
      calls.put(r, CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new))
          .thenCompose(done -> retrievals.get(r).in(version.version()).searchEach(requests.stream().map(CompletableFuture::join).toList())));
    }
    List<Map<Retriever, List<ScoredId>>> out = new ArrayList<>(queries.size());
    for (int i = 0; i < queries.size(); i++) {
      out.add(new EnumMap<>(Retriever.class));
    }
    for (var entry : calls.entrySet()) {
      List<List<ScoredId>> answers;
      try {
        answers = entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException(entry.getKey().wireName() + " could not judge the changes: " + e.getCause(), e.getCause());
      } catch (TimeoutException e) {
        throw new IllegalStateException(entry.getKey().wireName() + " took longer than " + timeout.toMillis() + " ms to judge the changes");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while judging the changes");
      }
      List<Integer> indexes = asking.get(entry.getKey());
      for (int j = 0; j < indexes.size(); j++) {
        out.get(indexes.get(j)).put(entry.getKey(), answers.get(j));
      }
    }
    return out;
  }

  private CompletableFuture<List<ScoredId>> call(Retriever r, ServedIndex.Version version, RetrievalRequest base,
      boolean bypassCache) {
    Retrieval retrieval = retrievals.get(r).in(version.version());
    try {
      if (r == Retriever.VECTOR) {
        return embeddings.embed(version.embedder(), base.q(), bypassCache).thenCompose(vector -> retrieval.search(
            new RetrievalRequest(base.q(), vector, base.tags(), base.limit())));
      }
      return retrieval.search(base);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static String reason(Throwable cause) {
    if (cause instanceof TimeoutException) {
      return "timeout";
    }
    if (cause instanceof RejectedExecutionException) {
      return "overloaded";
    }
    String name = cause.getClass().getSimpleName();
    return "error: " + name + (cause.getMessage() == null ? "" : " " + cause.getMessage().lines().findFirst().orElse(""));
  }

  /** What a refusal says to the client: the engine's status, or the embedder's reason; never an engine's body. */
  private static String refusal(Throwable cause) {
    if (cause instanceof dev.companionbrain.core.search.backend.BackendException b) {
      return "the engine answered " + b.status();
    }
    if (cause instanceof org.elasticsearch.client.ResponseException r) {
      return "the engine answered " + r.getResponse().getStatusLine().getStatusCode();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage().lines().findFirst().orElse("");
  }

  /** Each retriever's breaker state and the time it entered it (null while it has never left CLOSED). */
  record BreakerState(CircuitBreaker.State state, java.time.Instant since) {}

  Map<Retriever, BreakerState> breakers() {
    Map<Retriever, BreakerState> states = new EnumMap<>(Retriever.class);
    breakers.forEach((r, b) -> states.put(r, new BreakerState(b.getState(), stateSince.get(r))));
    return states;
  }
}
