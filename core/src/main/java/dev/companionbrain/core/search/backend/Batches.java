package dev.companionbrain.core.search.backend;

import dev.companionbrain.core.search.ScoredId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** Splits a batch of searches into multi-search calls of bounded size, run in parallel. */
final class Batches {
  /**
   * Requests per multi-search call: a batch of changed documents times the cached windows can be
   * thousands of requests, and one body of all of them would be megabytes (a kNN request alone
   * carries 384 floats) held at once by the client and the engine.
   */
  static final int MAX_REQUESTS_PER_CALL = 25;

  private Batches() {}

  /** The answers of {@code call} on consecutive chunks of at most {@code chunk} requests, joined in order. */
  static <T> CompletableFuture<List<List<ScoredId>>> inChunks(List<T> requests, int chunk,
      Function<List<T>, CompletableFuture<List<List<ScoredId>>>> call) {
    if (requests.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    List<CompletableFuture<List<List<ScoredId>>>> calls = new ArrayList<>();
    for (int from = 0; from < requests.size(); from += chunk) {
      calls.add(call.apply(requests.subList(from, Math.min(requests.size(), from + chunk))));
    }
    return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(done -> {
      List<List<ScoredId>> out = new ArrayList<>(requests.size());
      calls.forEach(c -> out.addAll(c.join()));
      return out;
    });
  }
}
