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
 * vocabulary, before the query is searched and becomes a cache key: two typo'd forms of one query
 * share the corrected query's window.
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

  /** {@code q} with its words the index does not contain corrected; {@code q} itself when none is. */
  String correct(String q) {
    return correct(q, false);
  }

  /**
   * {@link #correct(String)}; {@code fresh}: asked of the engine whatever is remembered, and not
   * remembered (a {@code Cache-Control: no-cache} search computes everything afresh).
   */
  String correct(String q, boolean fresh) {
    String known = fresh ? null : corrections.getIfPresent(q);
    if (known != null) {
      return known;
    }
    if (!breaker.tryAcquirePermission()) {
      failed.increment();
      return q;
    }
    long began = System.nanoTime();
    try {
      String answer = applied(q, suggest.apply(q).get(timeout.toNanos(), TimeUnit.NANOSECONDS));
      breaker.onSuccess(System.nanoTime() - began, TimeUnit.NANOSECONDS);
      if (!fresh) {
        corrections.put(q, answer);
      }
      (answer.equals(q) ? unchanged : corrected).increment();
      return answer;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      breaker.releasePermission();
      failed.increment();
      return q;
    } catch (Exception e) {
      breaker.onError(System.nanoTime() - began, TimeUnit.NANOSECONDS, e);
      failed.increment();
      return q;
    }
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
