package dev.companionbrain.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.companionbrain.core.search.backend.VocabularySuggestions.Suggestion;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Corrects the words of a query that the index does not contain (typos) from the index's own
 * vocabulary, before the query's answer is chosen and its cache key with it: two typo'd forms of one
 * query share the corrected query's window. The correction is asked while the query as written is
 * already searched ({@link WhileCorrecting}), so it adds no engine round trip to an answer's latency
 * unless it changes the query.
 *
 * <p>The suggestions come from an injected function (the engine's term suggester in the service,
 * {@link dev.companionbrain.core.search.backend.VocabularySuggestions}). A query's correction is kept
 * for {@link #REMEMBERED} (the vocabulary moves slowly; a cached answer costs no engine call for its
 * correction). When the suggester fails, times out or its breaker is open, the query is searched as
 * written: a correction never fails a search.
 */
final class QueryCorrector {
  /** How long a query's correction is remembered. */
  static final Duration REMEMBERED = Duration.ofSeconds(60);
  /** The most queries whose correction is remembered. */
  static final int REMEMBERED_QUERIES = 100_000;

  private final Function<String, CompletableFuture<List<Suggestion>>> suggest;
  private final Duration timeout;
  private final Cache<String, String> corrections;
  private final CircuitBreaker breaker;
  private final Counter corrected;
  private final Counter unchanged;
  private final Counter failed;

  /**
   * @param suggest the corrections of a query's words the index does not contain
   * @param timeout how long a search waits for them
   */
  QueryCorrector(Function<String, CompletableFuture<List<Suggestion>>> suggest, Duration timeout, Ticker ticker,
      MeterRegistry registry) {
    this.suggest = suggest;
    this.timeout = timeout;
    this.corrections = Caffeine.newBuilder().ticker(ticker).expireAfterWrite(REMEMBERED)
        .maximumSize(REMEMBERED_QUERIES).build();
    this.breaker = CircuitBreaker.of("correction", CircuitBreakerConfig.custom()
        .slidingWindowSize(20).minimumNumberOfCalls(10).failureRateThreshold(50)
        .waitDurationInOpenState(Duration.ofSeconds(5)).build());
    this.corrected = outcome(registry, "corrected");
    this.unchanged = outcome(registry, "unchanged");
    this.failed = outcome(registry, "failed");
  }

  private static Counter outcome(MeterRegistry registry, String outcome) {
    return Counter.builder("brain_query_corrections").tag("outcome", outcome)
        .description("queries looked up for typos: corrected, unchanged (every word in the index), failed (searched as written)")
        .register(registry);
  }

  /**
   * {@code q} with its words the index does not contain corrected ({@code q} itself when none is),
   * once the engine answers: at once when the correction is remembered, and never failed (a failed,
   * late or refused suggester leaves {@code q} as written, after at most the timeout). A search can so
   * start with {@code q} as written while its correction is asked ({@link WhileCorrecting}).
   *
   * @param fresh ask the engine whatever is remembered, and remember nothing (a {@code Cache-Control:
   *     no-cache} search computes everything afresh)
   */
  CompletableFuture<String> correction(String q, boolean fresh) {
    String known = fresh ? null : corrections.getIfPresent(q);
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    if (!breaker.tryAcquirePermission()) {
      failed.increment();
      return CompletableFuture.completedFuture(q);
    }
    long began = System.nanoTime();
    CompletableFuture<List<Suggestion>> asked;
    try {
      asked = suggest.apply(q).copy();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failed(q, began, e));
    }
    return asked.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS).handle((suggestions, error) -> {
      if (error != null) {
        return failed(q, began, error);
      }
      String answer = applied(q, suggestions);
      breaker.onSuccess(System.nanoTime() - began, TimeUnit.NANOSECONDS);
      if (!fresh) {
        corrections.put(q, answer);
      }
      (answer.equals(q) ? unchanged : corrected).increment();
      return answer;
    });
  }

  /** {@code q} as written, after the suggester failed with {@code error}: counted, and told to the breaker. */
  private String failed(String q, long began, Throwable error) {
    breaker.onError(System.nanoTime() - began, TimeUnit.NANOSECONDS, error);
    failed.increment();
    return q;
  }

  /** The remembered correction of {@code q}, or null when it has none (without asking the engine). */
  String remembered(String q) {
    return corrections.getIfPresent(q);
  }

  /**
   * {@code q} with each suggestion's word put in place of the characters it covers; suggestions that
   * overlap an earlier one or fall outside {@code q} are left out, and the rest of {@code q} is kept
   * as it is.
   */
  static String applied(String q, List<Suggestion> suggestions) {
    if (suggestions.isEmpty()) {
      return q;
    }
    StringBuilder out = new StringBuilder(q.length() + 8);
    int from = 0;
    for (Suggestion s : suggestions) {
      int end = s.offset() + s.length();
      if (s.offset() < from || s.length() <= 0 || end > q.length()) {
        continue;
      }
      out.append(q, from, s.offset()).append(s.word());
      from = end;
    }
    return out.append(q, from, q.length()).toString();
  }
}
