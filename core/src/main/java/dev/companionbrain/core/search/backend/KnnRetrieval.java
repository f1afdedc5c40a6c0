package dev.companionbrain.core.search.backend;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.companionbrain.core.index.IndexDefinitions;
import dev.companionbrain.core.index.VectorDialect;
import dev.companionbrain.core.search.ScoredId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.elasticsearch.client.RestClient;

/**
 * Nearest neighbours of the query vector on the Elasticsearch API, in the server's dialect, with
 * scores turned back into cosine similarity in [-1, 1]:
 * <ul>
 *   <li>OpenSearch: {@code knn} query (lucene HNSW, filtered); score = (1 + cos) / 2.
 *   <li>Elasticsearch 7: {@code script_score} with {@code cosineSimilarity(...) + 1.0} (exact);
 *       score = cos + 1.
 * </ul>
 * Tags and the ids of a restricted request filter the candidates ({@code knn}'s {@code filter}, the
 * script_score query's filter list); a document's score is its cosine either way.
 */
public final class KnnRetrieval implements Retrieval {
  private final RestClient client;
  private final String base;
  private final String index;
  private final VectorDialect dialect;
  private final java.util.Map<Integer, KnnRetrieval> versions;

  /** @param index the index's stable name (its alias): searched as it serves now, or {@link #in} a version */
  public KnnRetrieval(RestClient client, String index, VectorDialect dialect) {
    this(client, index, index, dialect, new java.util.concurrent.ConcurrentHashMap<>());
  }

  private KnnRetrieval(RestClient client, String base, String index, VectorDialect dialect,
      java.util.Map<Integer, KnnRetrieval> versions) {
    this.client = client;
    this.base = base;
    this.index = index;
    this.dialect = dialect;
    this.versions = versions;
  }

  @Override
  public KnnRetrieval in(int version) {
    return versions.computeIfAbsent(version, v -> new KnnRetrieval(client, base,
        dev.companionbrain.core.index.IndexVersions.elasticsearch(base, v), dialect, versions));
  }


  @Override
  public CompletableFuture<List<ScoredId>> search(RetrievalRequest request) {
    if (request.vector() == null) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("no query vector"));
    }
    return ElasticsearchSearch.search(client, index, requestBody(dialect, request), s -> cosine(dialect, s));
  }

  /**
   * Requests restricted to the same ids (what judging a generation's changes asks): the documents'
   * vectors and tags are read once ({@code _mget}) and each request's cosines computed here, exactly
   * what the engine's filtered search computes (the restriction makes it exact there too), without
   * one engine search per request. Any other batch: one {@code _msearch} per 25 requests (see
   * {@link Retrieval#searchEach}). Fails if a request has no vector.
   */
  @Override
  public CompletableFuture<List<List<ScoredId>>> searchEach(List<RetrievalRequest> requests) {
    if (requests.stream().anyMatch(r -> r.vector() == null)) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("no query vector"));
    }
    List<String> ids = requests.isEmpty() ? List.of() : requests.get(0).ids();
    if (!ids.isEmpty() && requests.stream().allMatch(r -> r.ids().equals(ids))) {
      return storedVectors(ids).thenApply(stored -> requests.stream().map(r -> nearest(r, stored)).toList());
    }
    return ElasticsearchSearch.searchEach(client, index,
        requests.stream().map(r -> requestBody(dialect, r)).toList(), s -> cosine(dialect, s));
  }

  /** A document's vector and tags, as the index stores them. */
  record StoredVector(String id, float[] vector, List<String> tags) {}

  /** The request's hits among {@code stored}: cosine to its vector, its tags filter, best first, at most its limit. */
  static List<ScoredId> nearest(RetrievalRequest request, List<StoredVector> stored) {
    List<ScoredId> hits = new java.util.ArrayList<>();
    for (StoredVector d : stored) {
      if (!request.ids().contains(d.id())
          || (!request.tags().isEmpty() && d.tags().stream().noneMatch(request.tags()::contains))) {
        continue;
      }
      double c = cosineOf(request.vector(), d.vector());
      if (Double.isFinite(c)) {
        hits.add(new ScoredId(d.id(), c));
      }
    }
    hits.sort(java.util.Comparator.comparingDouble(ScoredId::score).reversed().thenComparing(ScoredId::id));
    return hits.size() > request.limit() ? List.copyOf(hits.subList(0, request.limit())) : hits;
  }

  /** Cosine similarity in float arithmetic, as Lucene computes it; NaN for vectors of other lengths or a zero vector. */
  static double cosineOf(float[] a, float[] b) {
    if (a.length != b.length) {
      return Double.NaN;
    }
    float dot = 0;
    float na = 0;
    float nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return (double) (float) (dot / Math.sqrt((double) na * (double) nb));
  }

  private CompletableFuture<List<StoredVector>> storedVectors(List<String> ids) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ArrayNode array = body.putArray("ids");
    ids.forEach(array::add);
    org.elasticsearch.client.Request request = new org.elasticsearch.client.Request("POST", "/" + index + "/_mget");
    request.addParameter("_source_includes", IndexDefinitions.VECTOR_FIELD + ",tags");
    request.setEntity(new org.apache.http.nio.entity.NStringEntity(body.toString(),
        org.apache.http.entity.ContentType.APPLICATION_JSON));
    return ElasticsearchSearch.perform(client, request, KnnRetrieval::parseStored);
  }

  /** The found documents of an {@code _mget} answer that have a vector. */
  static List<StoredVector> parseStored(byte[] response) throws java.io.IOException {
    List<StoredVector> out = new java.util.ArrayList<>();
    for (com.fasterxml.jackson.databind.JsonNode doc : Json.MAPPER.readTree(response).path("docs")) {
      com.fasterxml.jackson.databind.JsonNode source = doc.path("_source");
      com.fasterxml.jackson.databind.JsonNode v = source.path(IndexDefinitions.VECTOR_FIELD);
      if (!doc.path("found").asBoolean(false) || !v.isArray() || v.isEmpty()) {
        continue;
      }
      float[] vector = new float[v.size()];
      for (int i = 0; i < vector.length; i++) {
        vector[i] = (float) v.get(i).asDouble();
      }
      List<String> tags = new java.util.ArrayList<>();
      source.path("tags").forEach(t -> tags.add(t.asText()));
      out.add(new StoredVector(doc.path("_id").asText(), vector, tags));
    }
    return out;
  }

  static double cosine(VectorDialect dialect, double score) {
    return switch (dialect) {
      case OPENSEARCH -> 2 * score - 1;
      case ELASTICSEARCH_7 -> score - 1;
    };
  }

  /** The body of the search request this index sends (benchmarks replay it against the engine directly). */
  public static String requestBody(VectorDialect dialect, RetrievalRequest request) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ElasticsearchSearch.idsOnly(body, request.limit());
    ObjectNode query = body.putObject("query");
    switch (dialect) {
      case OPENSEARCH -> {
        ObjectNode knn = query.putObject("knn").putObject(IndexDefinitions.VECTOR_FIELD);
        vector(knn.putArray("vector"), request.vector());
        knn.put("k", request.limit());
        ArrayNode clauses = Json.MAPPER.createArrayNode();
        if (!request.tags().isEmpty()) {
          ElasticsearchSearch.terms(clauses, "tags", request.tags());
        }
        if (!request.ids().isEmpty()) {
          ElasticsearchSearch.terms(clauses, "id", request.ids());
        }
        // knn takes one filter query: a lone terms as it is, tags and ids together as a bool of both
        if (clauses.size() == 1) {
          knn.set("filter", clauses.get(0));
        } else if (clauses.size() > 1) {
          knn.putObject("filter").putObject("bool").set("filter", clauses);
        }
      }
      case ELASTICSEARCH_7 -> {
        ObjectNode scriptScore = query.putObject("script_score");
        ArrayNode filter = scriptScore.putObject("query").putObject("bool").putArray("filter");
        filter.addObject().putObject("exists").put("field", IndexDefinitions.VECTOR_FIELD);
        if (!request.tags().isEmpty()) {
          ElasticsearchSearch.terms(filter, "tags", request.tags());
        }
        if (!request.ids().isEmpty()) {
          ElasticsearchSearch.terms(filter, "id", request.ids());
        }
        ObjectNode script = scriptScore.putObject("script");
        script.put("source", "cosineSimilarity(params.query_vector, '" + IndexDefinitions.VECTOR_FIELD + "') + 1.0");
        vector(script.putObject("params").putArray("query_vector"), request.vector());
      }
    }
    return body.toString();
  }

  private static void vector(ArrayNode array, float[] vector) {
    for (float f : vector) {
      array.add(f);
    }
  }
}
