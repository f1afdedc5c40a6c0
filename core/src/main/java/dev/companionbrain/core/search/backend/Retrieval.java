package dev.companionbrain.core.search.backend;

import dev.companionbrain.core.search.ScoredId;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One search on one engine, the implementation of a {@link dev.companionbrain.core.search.Retriever}
 * kind: {@link MeilisearchRetrieval} for {@code TEXT}, {@link Bm25Retrieval} for {@code KEYWORD},
 * {@link KnnRetrieval} for {@code VECTOR}. Asynchronous, never blocks the caller's thread.
 */
@FunctionalInterface
public interface Retrieval {
  /** Hits in rank order with the retriever's raw score (see {@link ScoredId}). */
  CompletableFuture<List<ScoredId>> search(RetrievalRequest request);

  /**
   * This retrieval on {@code version} of its index ({@link dev.companionbrain.core.index.IndexVersions};
   * {@code SERVED}: the names that serve now), sharing its connections: an answer takes one version
   * and asks every retriever on it, so no answer fuses two versions' hits. The engines'
   * implementations name the version's index; this default (a retrieval of no versioned index)
   * answers itself.
   */
  default Retrieval in(int version) {
    return this;
  }

  /**
   * Many searches at once: the hits of each request, in the order of the requests, each list what
   * {@link #search} would answer. Fails as a whole when one of them fails. This default runs the
   * single searches in parallel; the engines' implementations send a batch as one multi-search call
   * per 25 requests, so that no request body grows without bound, with the timeouts and the
   * connection pool of {@link #search}.
   */
  default CompletableFuture<List<List<ScoredId>>> searchEach(List<RetrievalRequest> requests) {
    List<CompletableFuture<List<ScoredId>>> each = requests.stream().map(this::search).toList();
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .thenApply(done -> each.stream().map(CompletableFuture::join).toList());
  }
}
