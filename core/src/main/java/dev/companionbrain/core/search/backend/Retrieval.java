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
}
