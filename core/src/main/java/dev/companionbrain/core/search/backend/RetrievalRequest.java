package dev.companionbrain.core.search.backend;

import java.util.List;

/**
 * What one retriever is asked.
 *
 * @param q the query text
 * @param vector the query's embedding (only the vector retriever reads it), may be null
 * @param tags documents must carry at least one of these tags (empty: no filter)
 * @param limit how many hits to return
 */
public record RetrievalRequest(String q, float[] vector, List<String> tags, int limit) {
  public RetrievalRequest {
    tags = tags == null ? List.of() : List.copyOf(tags);
  }
}
