package dev.companionbrain.core.search.backend;

import java.util.List;

/**
 * What one retriever is asked.
 *
 * @param q the query text
 * @param vector the query's embedding (only the vector retriever reads it), may be null
 * @param tags documents must carry at least one of these tags (empty: no filter)
 * @param limit how many hits to return
 * @param ids search only among the documents with these ids (null or empty: no restriction). A
 *     non-scoring filter: a document found under it has the score the unrestricted search gives it,
 *     so a caller can score a few known documents for a query (with {@code limit} = their number)
 */
public record RetrievalRequest(String q, float[] vector, List<String> tags, int limit, List<String> ids) {
  public RetrievalRequest {
    tags = tags == null ? List.of() : List.copyOf(tags);
    ids = ids == null ? List.of() : List.copyOf(ids);
  }

  /** A request over every document. */
  public RetrievalRequest(String q, float[] vector, List<String> tags, int limit) {
    this(q, vector, tags, limit, null);
  }
}
