package dev.companionbrain.core.search.backend;

import dev.companionbrain.core.search.ScoredId;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One retriever over one engine: asynchronous, never blocks the caller's thread. */
@FunctionalInterface
public interface Retrieval {
  /** Hits in rank order with the retriever's raw score (see {@link ScoredId}). */
  CompletableFuture<List<ScoredId>> search(RetrievalRequest request);
}
