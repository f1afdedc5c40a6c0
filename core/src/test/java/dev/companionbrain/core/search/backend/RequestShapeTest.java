package dev.companionbrain.core.search.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.companionbrain.core.document.DocumentParser;
import dev.companionbrain.core.index.IndexDefinitions;
import dev.companionbrain.core.index.VectorDialect;
import dev.companionbrain.core.search.ScoredId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Contract tests of the request bodies the search backends send, and of the index definition.
 *
 * <p>These check the <em>shape</em> of the JSON only. The OpenSearch dialect ({@code knn_vector} +
 * {@code knn} query) is also exercised end to end by the integration tests against a real
 * OpenSearch node. The Elasticsearch 7 dialect ({@code dense_vector} + {@code script_score} with
 * {@code cosineSimilarity}) is <strong>not</strong> run against a server anywhere: no Elasticsearch
 * 7 with x-pack can be obtained on the build machine and the tests run OpenSearch. For that dialect
 * these tests are the only check, so they pin the request to the documented Elasticsearch 7.x
 * syntax.
 */
class RequestShapeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError("not valid JSON: " + json, e);
    }
  }

  private static float[] queryVector() {
    float[] v = new float[DocumentParser.DIMENSIONS];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i % 7 - 3) / 8f;
    }
    return v;
  }

  private static List<String> texts(JsonNode array) {
    assertThat(array.isArray()).as("%s is an array", array).isTrue();
    List<String> out = new ArrayList<>();
    array.forEach(n -> {
      assertThat(n.isTextual()).as("%s is a string", n).isTrue();
      out.add(n.asText());
    });
    return out;
  }

  private static void assertVector(JsonNode array) {
    assertThat(array.isArray()).isTrue();
    assertThat(array.size()).isEqualTo(DocumentParser.DIMENSIONS);
    float[] expected = queryVector();
    for (int i = 0; i < expected.length; i++) {
      assertThat(array.get(i).isNumber()).as("element %d is a number", i).isTrue();
      assertThat(array.get(i).asDouble()).isCloseTo(expected[i], within(1e-6));
    }
  }

  @Nested
  class VectorElasticsearch7 {
    @Test
    void withoutTags() {
      JsonNode body = parse(KnnRetrieval.requestBody(VectorDialect.ELASTICSEARCH_7,
          new RetrievalRequest("q", queryVector(), List.of(), 25)));

      assertThat(body.path("size").asInt()).isEqualTo(25);
      assertThat(body.path("_source").isBoolean()).isTrue();
      assertThat(body.path("_source").asBoolean()).isFalse();
      JsonNode scriptScore = body.path("query").path("script_score");
      assertThat(scriptScore.isObject()).isTrue();
      JsonNode filter = scriptScore.path("query").path("bool").path("filter");
      assertThat(filter.isArray()).isTrue();
      assertThat(filter.size()).isEqualTo(1);
      assertThat(filter.get(0).path("exists").path("field").asText()).isEqualTo("vector");
      JsonNode script = scriptScore.path("script");
      assertThat(script.path("source").asText()).isEqualTo("cosineSimilarity(params.query_vector, 'vector') + 1.0");
      assertVector(script.path("params").path("query_vector"));
      assertThat(body.path("query").has("knn")).isFalse();
    }

    @Test
    void withTagsFiltersOnExactlyThoseTags() {
      JsonNode body = parse(KnnRetrieval.requestBody(VectorDialect.ELASTICSEARCH_7,
          new RetrievalRequest("q", queryVector(), List.of("flink", "state"), 10)));

      JsonNode filter = body.path("query").path("script_score").path("query").path("bool").path("filter");
      assertThat(filter.size()).isEqualTo(2);
      List<JsonNode> clauses = new ArrayList<>();
      filter.forEach(clauses::add);
      assertThat(clauses).anySatisfy(c -> assertThat(c.path("exists").path("field").asText()).isEqualTo("vector"));
      assertThat(clauses).anySatisfy(c -> assertThat(texts(c.path("terms").path("tags"))).containsExactly("flink", "state"));
      assertThat(body.path("size").asInt()).isEqualTo(10);
    }
  }

  @Nested
  class VectorOpenSearch {
    @Test
    void withoutTagsHasNoFilter() {
      JsonNode body = parse(KnnRetrieval.requestBody(VectorDialect.OPENSEARCH,
          new RetrievalRequest("q", queryVector(), List.of(), 30)));

      assertThat(body.path("size").asInt()).isEqualTo(30);
      assertThat(body.path("_source").asBoolean(true)).isFalse();
      JsonNode knn = body.path("query").path("knn").path("vector");
      assertThat(knn.isObject()).isTrue();
      assertVector(knn.path("vector"));
      assertThat(knn.path("k").asInt()).isEqualTo(30);
      assertThat(knn.has("filter")).isFalse();
      assertThat(body.path("query").has("script_score")).isFalse();
    }

    @Test
    void withTagsHasATermsFilter() {
      JsonNode body = parse(KnnRetrieval.requestBody(VectorDialect.OPENSEARCH,
          new RetrievalRequest("q", queryVector(), List.of("a", "b c"), 5)));

      JsonNode knn = body.path("query").path("knn").path("vector");
      assertThat(knn.path("k").asInt()).isEqualTo(5);
      assertThat(texts(knn.path("filter").path("terms").path("tags"))).containsExactly("a", "b c");
    }
  }

  @Nested
  class VectorScores {
    @Test
    void openSearchScoreIsHalfOfOnePlusCosine() {
      assertThat(KnnRetrieval.cosine(VectorDialect.OPENSEARCH, 1.0)).isCloseTo(1.0, within(1e-12));
      assertThat(KnnRetrieval.cosine(VectorDialect.OPENSEARCH, 0.5)).isCloseTo(0.0, within(1e-12));
      assertThat(KnnRetrieval.cosine(VectorDialect.OPENSEARCH, 0.0)).isCloseTo(-1.0, within(1e-12));
      assertThat(KnnRetrieval.cosine(VectorDialect.OPENSEARCH, 0.75)).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void elasticsearch7ScoreIsCosinePlusOne() {
      assertThat(KnnRetrieval.cosine(VectorDialect.ELASTICSEARCH_7, 2.0)).isCloseTo(1.0, within(1e-12));
      assertThat(KnnRetrieval.cosine(VectorDialect.ELASTICSEARCH_7, 1.0)).isCloseTo(0.0, within(1e-12));
      assertThat(KnnRetrieval.cosine(VectorDialect.ELASTICSEARCH_7, 0.0)).isCloseTo(-1.0, within(1e-12));
      assertThat(KnnRetrieval.cosine(VectorDialect.ELASTICSEARCH_7, 1.25)).isCloseTo(0.25, within(1e-12));
    }
  }

  /** Every Elasticsearch API search asks for ids from doc values only: no stored field is loaded. */
  @Nested
  class IdsFromDocValues {
    @Test
    void everySearchBodyLoadsNoStoredField() {
      RetrievalRequest request = new RetrievalRequest("q", queryVector(), List.of("t"), 30);
      for (String json : List.of(Bm25Retrieval.requestBody(request),
          KnnRetrieval.requestBody(VectorDialect.OPENSEARCH, request),
          KnnRetrieval.requestBody(VectorDialect.ELASTICSEARCH_7, request))) {
        JsonNode body = parse(json);
        assertThat(body.path("size").asInt()).isEqualTo(30);
        assertThat(body.path("_source").asBoolean(true)).isFalse();
        assertThat(body.path("stored_fields").asText()).isEqualTo("_none_");
        assertThat(texts(body.path("docvalue_fields"))).containsExactly("id");
      }
      assertThat(ElasticsearchSearch.FILTER_PATH).isEqualTo("hits.hits.fields.id,hits.hits._score");
    }

    @Test
    void parseReadsTheIdDocValueAndScoreInOrderAndSkipsAHitWithoutId() throws Exception {
      String response = """
          {"hits":{"hits":[
             {"_score":12.5,"fields":{"id":["doc-3"]}},
             {"_score":7.0},
             {"_score":3.25,"fields":{"id":["doc-1"]}}]}}""";

      List<ScoredId> hits = ElasticsearchSearch.parse(response.getBytes(StandardCharsets.UTF_8), s -> s / 2);

      assertThat(hits).containsExactly(new ScoredId("doc-3", 6.25), new ScoredId("doc-1", 1.625));
    }

    @Test
    void parseOfNoHits() throws Exception {
      // filter_path leaves nothing at all of a response without hits
      assertThat(ElasticsearchSearch.parse("{}".getBytes(StandardCharsets.UTF_8), s -> s)).isEmpty();
    }
  }

  @Nested
  class Keyword {
    @Test
    void multiMatchOverTitleBoostedAndBody() {
      JsonNode body = parse(Bm25Retrieval.requestBody(new RetrievalRequest("kafka streams", null, List.of(), 40)));

      assertThat(body.path("size").asInt()).isEqualTo(40);
      assertThat(body.path("_source").asBoolean(true)).isFalse();
      JsonNode bool = body.path("query").path("bool");
      JsonNode match = bool.path("must").path("multi_match");
      assertThat(match.path("query").asText()).isEqualTo("kafka streams");
      assertThat(texts(match.path("fields"))).containsExactly("title^2", "body");
      assertThat(bool.has("filter")).isFalse();
    }

    @Test
    void tagsBecomeATermsFilter() {
      JsonNode body = parse(Bm25Retrieval.requestBody(new RetrievalRequest("q", null, List.of("x", "y"), 10)));

      JsonNode filter = body.path("query").path("bool").path("filter");
      assertThat(filter.isArray()).isTrue();
      assertThat(filter.size()).isEqualTo(1);
      assertThat(texts(filter.get(0).path("terms").path("tags"))).containsExactly("x", "y");
    }

    @Test
    void queryTextIsAJsonStringNotRawJson() {
      String q = "\"}, \"size\": 10000, \"x\": {\"";

      JsonNode body = parse(Bm25Retrieval.requestBody(new RetrievalRequest(q, null, List.of(), 10)));

      assertThat(body.path("size").asInt()).isEqualTo(10);
      assertThat(body.path("query").path("bool").path("must").path("multi_match").path("query").asText()).isEqualTo(q);
    }
  }

  @Nested
  class KeywordStreaming {
    @Test
    void theStreamAsksTheKeywordSearchsQueryInScoreOrderForTheDisplayFieldsOnly() {
      JsonNode body = parse(KeywordStream.firstBody("kafka streams", List.of("x", "y")));
      JsonNode search = parse(Bm25Retrieval.requestBody(new RetrievalRequest("kafka streams", null, List.of("x", "y"), 10)));

      assertThat(body.path("query")).isEqualTo(search.path("query"));
      assertThat(body.path("size").asInt()).isEqualTo(KeywordStream.PAGE_SIZE);
      assertThat(body.path("sort").toString()).isEqualTo("[{\"_score\":\"desc\"}]");
      assertThat(body.path("track_scores").asBoolean()).isTrue();
      assertThat(texts(body.path("_source"))).containsExactly("id", "title", "url", "tags", "updated_at")
          .doesNotContain("body", IndexDefinitions.VECTOR_FIELD);
    }

    @Test
    void aPageGivesEachHitsScoreAndDisplayFields() {
      JsonNode page = parse("""
          {"_scroll_id":"s","hits":{"hits":[
            {"_score":2.5,"_source":{"id":"a","title":"A","url":"https://x/a","tags":["t1","t2"],"updated_at":"2026-01-01T00:00:00Z"}},
            {"_score":1.0,"_source":{"title":"no id: skipped"}},
            {"_score":0.5,"_source":{"id":"b","tags":"single"}}]}}""");

      assertThat(KeywordStream.hits(page)).containsExactly(
          new KeywordStream.Hit("a", 2.5, "A", "https://x/a", List.of("t1", "t2"), "2026-01-01T00:00:00Z"),
          new KeywordStream.Hit("b", 0.5, null, null, List.of("single"), null));
      assertThat(KeywordStream.hits(parse("{\"_scroll_id\":\"s\"}"))).isEmpty();
    }
  }

  @Nested
  class Text {
    @Test
    void requestBodyWithoutTags() {
      JsonNode body = parse(MeilisearchRetrieval.requestBody(new RetrievalRequest("hello wrld", null, List.of(), 20)));

      assertThat(body.path("q").asText()).isEqualTo("hello wrld");
      assertThat(body.path("limit").asInt()).isEqualTo(20);
      assertThat(body.path("showRankingScore").isBoolean()).isTrue();
      assertThat(body.path("showRankingScore").asBoolean()).isTrue();
      assertThat(texts(body.path("attributesToRetrieve"))).containsExactly("id");
      assertThat(body.has("filter")).isFalse();
    }

    @Test
    void requestBodyWithTagsHasAFilter() {
      JsonNode body = parse(MeilisearchRetrieval.requestBody(new RetrievalRequest("q", null, List.of("a", "b c"), 20)));

      assertThat(body.path("filter").asText()).isEqualTo("tags IN [\"a\", \"b c\"]");
    }

    @Test
    void tagFilterQuotesEveryValue() {
      assertThat(MeilisearchRetrieval.tagFilter(List.of("a", "b c"))).isEqualTo("tags IN [\"a\", \"b c\"]");
      assertThat(MeilisearchRetrieval.tagFilter(List.of("only"))).isEqualTo("tags IN [\"only\"]");
    }

    @Test
    void tagFilterEscapesQuoteAndBackslash() {
      // the tag  x"y\  must become  "x\"y\\"
      assertThat(MeilisearchRetrieval.tagFilter(List.of("x\"y\\"))).isEqualTo("tags IN [\"x\\\"y\\\\\"]");
    }

    @Test
    void tagCannotBreakOutOfTheString() {
      String attack = "a\"] OR id EXISTS OR tags IN [\"b";

      String filter = MeilisearchRetrieval.tagFilter(List.of(attack));

      assertThat(filter).isEqualTo("tags IN [\"a\\\"] OR id EXISTS OR tags IN [\\\"b\"]");
      // every double quote inside the value is escaped: only the two delimiting quotes are bare
      assertThat(unescapedQuotes(filter)).isEqualTo(2);
    }

    @Test
    void trailingBackslashCannotEscapeTheClosingQuote() {
      String filter = MeilisearchRetrieval.tagFilter(List.of("a\\", "] OR x"));

      assertThat(filter).isEqualTo("tags IN [\"a\\\\\", \"] OR x\"]");
      assertThat(unescapedQuotes(filter)).isEqualTo(4);
    }

    /** Counts double quotes not preceded by an odd number of backslashes. */
    private int unescapedQuotes(String s) {
      int count = 0;
      int backslashes = 0;
      for (char c : s.toCharArray()) {
        if (c == '\\') {
          backslashes++;
          continue;
        }
        if (c == '"' && backslashes % 2 == 0) {
          count++;
        }
        backslashes = 0;
      }
      return count;
    }

    @Test
    void parseReadsIdsAndRankingScoresInOrder() {
      String response = """
          {"hits":[
             {"id":"doc-7","_rankingScore":0.9321},
             {"id":"doc-2","_rankingScore":0.5},
             {"id":"doc-9","_rankingScore":0.0}],
           "query":"hello","processingTimeMs":1,"limit":3,"offset":0,"estimatedTotalHits":12}""";

      List<ScoredId> hits = MeilisearchRetrieval.parse(response.getBytes(StandardCharsets.UTF_8));

      assertThat(hits).containsExactly(
          new ScoredId("doc-7", 0.9321), new ScoredId("doc-2", 0.5), new ScoredId("doc-9", 0.0));
    }

    @Test
    void parseOfNoHits() {
      String response = """
          {"hits":[],"query":"zzz","processingTimeMs":0,"limit":10,"offset":0,"estimatedTotalHits":0}""";

      assertThat(MeilisearchRetrieval.parse(response.getBytes(StandardCharsets.UTF_8))).isEmpty();
    }
  }

  /**
   * A request restricted to some ids: the restriction is a non-scoring filter on the {@code id}
   * keyword (Meilisearch: on the filterable {@code id} attribute), beside the tags when there are.
   */
  @Nested
  class RestrictedToIds {
    private final List<String> ids = List.of("doc-1", "doc \"2\"");

    @Test
    void theFourArgumentRequestHasNoRestriction() {
      assertThat(new RetrievalRequest("q", null, List.of(), 10).ids()).isEmpty();
      assertThat(new RetrievalRequest("q", null, List.of(), 10, null).ids()).isEmpty();
    }

    @Test
    void keywordFiltersOnIdBesideTheScoringMatch() {
      JsonNode body = parse(Bm25Retrieval.requestBody(new RetrievalRequest("q", null, List.of(), 2, ids)));

      JsonNode bool = body.path("query").path("bool");
      assertThat(bool.path("must").has("multi_match")).isTrue();
      assertThat(bool.path("filter").size()).isEqualTo(1);
      assertThat(texts(bool.path("filter").get(0).path("terms").path("id"))).containsExactlyElementsOf(ids);
      assertThat(body.path("size").asInt()).isEqualTo(2);
    }

    @Test
    void keywordFiltersOnTagsAndIds() {
      JsonNode body = parse(Bm25Retrieval.requestBody(new RetrievalRequest("q", null, List.of("x"), 2, ids)));

      JsonNode filter = body.path("query").path("bool").path("filter");
      assertThat(filter.size()).isEqualTo(2);
      assertThat(texts(filter.get(0).path("terms").path("tags"))).containsExactly("x");
      assertThat(texts(filter.get(1).path("terms").path("id"))).containsExactlyElementsOf(ids);
    }

    @Test
    void openSearchKnnFiltersOnIdsAloneOrInABoolWithTags() {
      JsonNode alone = parse(KnnRetrieval.requestBody(VectorDialect.OPENSEARCH,
          new RetrievalRequest("q", queryVector(), List.of(), 2, ids))).path("query").path("knn").path("vector");
      assertThat(alone.path("k").asInt()).isEqualTo(2);
      assertThat(texts(alone.path("filter").path("terms").path("id"))).containsExactlyElementsOf(ids);

      JsonNode both = parse(KnnRetrieval.requestBody(VectorDialect.OPENSEARCH,
          new RetrievalRequest("q", queryVector(), List.of("a"), 2, ids))).path("query").path("knn").path("vector");
      JsonNode clauses = both.path("filter").path("bool").path("filter");
      assertThat(clauses.size()).isEqualTo(2);
      assertThat(texts(clauses.get(0).path("terms").path("tags"))).containsExactly("a");
      assertThat(texts(clauses.get(1).path("terms").path("id"))).containsExactlyElementsOf(ids);
      assertThat(both.path("filter").has("terms")).isFalse();
    }

    @Test
    void elasticsearch7ScriptScoreFiltersOnIdsBesideTheVectorAndTags() {
      JsonNode filter = parse(KnnRetrieval.requestBody(VectorDialect.ELASTICSEARCH_7,
          new RetrievalRequest("q", queryVector(), List.of("a"), 2, ids)))
          .path("query").path("script_score").path("query").path("bool").path("filter");

      assertThat(filter.size()).isEqualTo(3);
      assertThat(filter.get(0).path("exists").path("field").asText()).isEqualTo("vector");
      assertThat(texts(filter.get(1).path("terms").path("tags"))).containsExactly("a");
      assertThat(texts(filter.get(2).path("terms").path("id"))).containsExactlyElementsOf(ids);
    }

    @Test
    void meilisearchFiltersOnQuotedEscapedIdsAndWithTheTags() {
      JsonNode alone = parse(MeilisearchRetrieval.requestBody(new RetrievalRequest("q", null, List.of(), 2, ids)));
      assertThat(alone.path("filter").asText()).isEqualTo("id IN [\"doc-1\", \"doc \\\"2\\\"\"]");
      assertThat(alone.path("limit").asInt()).isEqualTo(2);

      JsonNode both = parse(MeilisearchRetrieval.requestBody(new RetrievalRequest("q", null, List.of("a"), 2, List.of("x\\"))));
      assertThat(both.path("filter").asText()).isEqualTo("tags IN [\"a\"] AND id IN [\"x\\\\\"]");
    }

    @Test
    void meilisearchMakesIdFilterable() {
      assertThat(texts(parse(IndexDefinitions.meilisearchSettings()).path("filterableAttributes"))).contains("tags", "id");
    }
  }

  /** Batches: one {@code _msearch} or {@code /multi-search} body per chunk, answers in request order. */
  @Nested
  class MultiSearch {
    private final List<RetrievalRequest> requests = List.of(
        new RetrievalRequest("first", null, List.of(), 3, List.of("a")),
        new RetrievalRequest("second", null, List.of("t"), 5));

    @Test
    void msearchBodyIsAHeaderAndABodyLinePerRequest() {
      List<String> bodies = requests.stream().map(Bm25Retrieval::requestBody).toList();

      String ndjson = ElasticsearchSearch.multiSearchBody("docs-\"x", bodies);

      assertThat(ndjson).endsWith("\n");
      String[] lines = ndjson.split("\n");
      assertThat(lines).hasSize(4);
      assertThat(parse(lines[0]).path("index").asText()).isEqualTo("docs-\"x");
      assertThat(parse(lines[1])).isEqualTo(parse(bodies.get(0)));
      assertThat(parse(lines[2])).isEqualTo(parse(lines[0]));
      assertThat(parse(lines[3])).isEqualTo(parse(bodies.get(1)));
      assertThat(ElasticsearchSearch.MULTI_FILTER_PATH)
          .isEqualTo("responses.hits.hits.fields.id,responses.hits.hits._score,responses.error,responses.status");
    }

    @Test
    void msearchResponsesKeepTheirOrderAndAnEmptyOneStaysInPlace() throws Exception {
      String response = """
          {"responses":[
             {"hits":{"hits":[{"_score":2.0,"fields":{"id":["b"]}},{"_score":1.0,"fields":{"id":["a"]}}]},"status":200},
             {"status":200},
             {"hits":{"hits":[{"_score":4.0,"fields":{"id":["c"]}}]},"status":200}]}""";

      List<List<ScoredId>> hits = ElasticsearchSearch.parseMulti(response.getBytes(StandardCharsets.UTF_8), 3, s -> s / 2);

      assertThat(hits).containsExactly(
          List.of(new ScoredId("b", 1.0), new ScoredId("a", 0.5)), List.of(), List.of(new ScoredId("c", 2.0)));
    }

    @Test
    void anErrorItemFailsTheWholeWithItsStatus() {
      String response = """
          {"responses":[
             {"hits":{"hits":[{"_score":2.0,"fields":{"id":["b"]}}]},"status":200},
             {"error":{"root_cause":[],"type":"search_phase_execution_exception","reason":"all shards failed"},"status":400}]}""";

      assertThatThrownBy(() -> ElasticsearchSearch.parseMulti(response.getBytes(StandardCharsets.UTF_8), 2, s -> s))
          .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.status()).isEqualTo(400))
          .hasMessageContaining("search 1 of 2");
    }

    @Test
    void aMissingResponseFailsTheWhole() {
      String response = """
          {"responses":[{"status":200}]}""";

      assertThatThrownBy(() -> ElasticsearchSearch.parseMulti(response.getBytes(StandardCharsets.UTF_8), 2, s -> s))
          .isInstanceOf(BackendException.class).hasMessageContaining("1 responses to 2 searches");
    }

    @Test
    void meilisearchMultiSearchNamesTheIndexInEveryQuery() {
      JsonNode body = parse(MeilisearchRetrieval.multiSearchBody("docs", requests));

      JsonNode queries = body.path("queries");
      assertThat(queries.size()).isEqualTo(2);
      for (int i = 0; i < 2; i++) {
        ObjectNode expected = (ObjectNode) parse(MeilisearchRetrieval.requestBody(requests.get(i)));
        expected.put("indexUid", "docs");
        assertThat(queries.get(i)).isEqualTo(expected);
      }
      assertThat(queries.get(0).path("filter").asText()).isEqualTo("id IN [\"a\"]");
      assertThat(queries.get(1).path("filter").asText()).isEqualTo("tags IN [\"t\"]");
    }

    @Test
    void meilisearchResultsKeepTheirOrder() {
      String response = """
          {"results":[
             {"indexUid":"docs","hits":[{"id":"b","_rankingScore":0.9},{"id":"a","_rankingScore":0.4}],"query":"first"},
             {"indexUid":"docs","hits":[],"query":"second"}]}""";

      assertThat(MeilisearchRetrieval.parseMulti(response.getBytes(StandardCharsets.UTF_8), 2))
          .containsExactly(List.of(new ScoredId("b", 0.9), new ScoredId("a", 0.4)), List.of());
      assertThatThrownBy(() -> MeilisearchRetrieval.parseMulti(response.getBytes(StandardCharsets.UTF_8), 3))
          .isInstanceOf(BackendException.class);
    }

    @Test
    void chunksAreJoinedInRequestOrder() {
      List<Integer> calls = new ArrayList<>();
      List<String> ids = List.of("a", "b", "c", "d", "e");

      List<List<ScoredId>> out = Batches.inChunks(ids, 2, chunk -> {
        calls.add(chunk.size());
        return java.util.concurrent.CompletableFuture.completedFuture(
            chunk.stream().map(id -> List.of(new ScoredId(id, 1))).toList());
      }).join();

      assertThat(calls).containsExactly(2, 2, 1);
      assertThat(out.stream().map(hits -> hits.get(0).id()).toList()).containsExactlyElementsOf(ids);
      assertThat(Batches.inChunks(List.<String>of(), 2, chunk -> {
        throw new AssertionError("no call for no request");
      }).join()).isEmpty();
    }

    @Test
    void theDefaultRunsEverySearchAndKeepsTheOrder() {
      Retrieval echo = request -> java.util.concurrent.CompletableFuture.completedFuture(
          List.of(new ScoredId(request.q(), request.limit())));

      assertThat(echo.searchEach(requests).join())
          .containsExactly(List.of(new ScoredId("first", 3)), List.of(new ScoredId("second", 5)));
    }

    @Test
    void theDefaultFailsWhenOneSearchFails() {
      Retrieval failing = request -> request.q().equals("second")
          ? java.util.concurrent.CompletableFuture.failedFuture(new BackendException("x", 503, ""))
          : java.util.concurrent.CompletableFuture.completedFuture(List.of());

      assertThatThrownBy(() -> failing.searchEach(requests).join()).hasCauseInstanceOf(BackendException.class);
    }
  }

  @Nested
  class ElasticsearchIndexDefinition {
    private JsonNode definition(VectorDialect dialect) {
      return parse(IndexDefinitions.elasticsearchIndex(dialect));
    }

    private void assertCommonFields(JsonNode root) {
      JsonNode properties = root.path("mappings").path("properties");
      assertThat(properties.path("title").path("type").asText()).isEqualTo("text");
      assertThat(properties.path("title").path("analyzer").asText()).isEqualTo("english");
      assertThat(properties.path("body").path("type").asText()).isEqualTo("text");
      assertThat(properties.path("body").path("analyzer").asText()).isEqualTo("english");
      assertThat(properties.path("tags").path("type").asText()).isEqualTo("keyword");
      assertThat(properties.path("updated_at").path("type").asText()).isEqualTo("date");
      assertThat(properties.path("id").path("type").asText()).isEqualTo("keyword");
      assertThat(root.path("mappings").path("dynamic").asText()).isEqualTo("strict");
      // the suggester's vocabulary: title and body copied, unstemmed
      assertThat(properties.path("title").path("copy_to").asText()).isEqualTo(IndexDefinitions.WORDS_FIELD);
      assertThat(properties.path("body").path("copy_to").asText()).isEqualTo(IndexDefinitions.WORDS_FIELD);
      assertThat(properties.path(IndexDefinitions.WORDS_FIELD).path("type").asText()).isEqualTo("text");
      assertThat(properties.path(IndexDefinitions.WORDS_FIELD).path("analyzer").asText()).isEqualTo("standard");
      assertThat(root.at("/mappings/_meta/embedding_model").asText()).as("the model of its vectors").isEqualTo("bge-small-en-v1.5");
    }

    @Test
    void theIndexRecordsTheModelItIsMadeFor() {
      for (VectorDialect dialect : VectorDialect.values()) {
        JsonNode root = parse(IndexDefinitions.elasticsearchIndex(dialect, 1,
            dev.companionbrain.core.embed.EmbeddingModel.BGE_SMALL));
        assertThat(root.at("/mappings/_meta/" + IndexDefinitions.MODEL_META).asText()).isEqualTo("bge-small-en-v1.5");
        assertThat(root.at("/settings/index/number_of_replicas").asInt()).isEqualTo(1);
      }
    }

    @Test
    void openSearchUsesKnnVectorWithLuceneCosine() {
      JsonNode root = definition(VectorDialect.OPENSEARCH);

      assertCommonFields(root);
      JsonNode vector = root.path("mappings").path("properties").path("vector");
      assertThat(vector.path("type").asText()).isEqualTo("knn_vector");
      assertThat(vector.path("dimension").asInt()).isEqualTo(384);
      assertThat(vector.path("method").path("engine").asText()).isEqualTo("lucene");
      assertThat(vector.path("method").path("space_type").asText()).isEqualTo("cosinesimil");
      assertThat(vector.path("method").path("name").asText()).isEqualTo("hnsw");
      assertThat(root.path("settings").path("index").path("knn").isBoolean()).isTrue();
      assertThat(root.path("settings").path("index").path("knn").asBoolean()).isTrue();
    }

    @Test
    void elasticsearch7UsesDenseVectorAndNoKnnSetting() {
      JsonNode root = definition(VectorDialect.ELASTICSEARCH_7);

      assertCommonFields(root);
      JsonNode vector = root.path("mappings").path("properties").path("vector");
      assertThat(vector.path("type").asText()).isEqualTo("dense_vector");
      assertThat(vector.path("dims").asInt()).isEqualTo(384);
      assertThat(vector.has("dimension")).isFalse();
      assertThat(vector.has("method")).isFalse();
      assertThat(root.path("settings").path("index").isObject()).isTrue();
      assertThat(root.path("settings").path("index").has("knn")).isFalse();
    }

    @Test
    void vectorFieldNameMatchesTheQueries() {
      assertThat(IndexDefinitions.VECTOR_FIELD).isEqualTo("vector");
      assertThat(DocumentParser.DIMENSIONS).isEqualTo(384);
    }

    @Test
    void meilisearchSettingsMakeTagsAndIdsFilterable() {
      JsonNode settings = parse(IndexDefinitions.meilisearchSettings());

      assertThat(texts(settings.path("filterableAttributes"))).contains("tags", "id");
      assertThat(texts(settings.path("searchableAttributes"))).containsExactly("title", "body");
    }
  }

  /**
   * The typo corrections' request (the same in OpenSearch and Elasticsearch 7: the term suggester is
   * older than both; OpenSearch answers it for real in QueryServiceIT).
   */
  @Nested
  class Suggestions {
    @Test
    void theRequestAsksOnlyForTheBestCorrectionOfEachMissingWordFromTheWordsField() {
      JsonNode body = parse(VocabularySuggestions.requestBody("shok \"wave\""));

      assertThat(body.path("size").asInt(-1)).isZero();
      assertThat(body.path("track_total_hits").asBoolean(true)).isFalse();
      JsonNode words = body.path("suggest").path("words");
      assertThat(words.path("text").asText()).isEqualTo("shok \"wave\"");
      JsonNode term = words.path("term");
      assertThat(term.path("field").asText()).isEqualTo("words");
      assertThat(term.path("suggest_mode").asText()).isEqualTo("missing");
      assertThat(term.path("max_edits").asInt()).isEqualTo(2);
      assertThat(term.path("sort").asText()).isEqualTo("score");
      assertThat(term.path("size").asInt()).isEqualTo(1);
      assertThat(VocabularySuggestions.FILTER_PATH.split(",")).allSatisfy(p -> assertThat(p).startsWith("suggest.words."));
    }

    @Test
    void eachWordWithAnOptionIsACorrectionInOrderAndTheRestAreLeftOut() throws Exception {
      String response = """
          {"suggest":{"words":[
            {"offset":0,"length":4,"options":[{"text":"shock"}]},
            {"offset":5,"length":4,"options":[]},
            {"offset":10,"length":5},
            {"offset":16,"length":6,"options":[{"text":"nozzle"},{"text":"noodle"}]},
            {"offset":"x","length":6,"options":[{"text":"bad"}]}]}}""";

      assertThat(VocabularySuggestions.parse(response.getBytes(StandardCharsets.UTF_8))).containsExactly(
          new VocabularySuggestions.Suggestion(0, 4, "shock"), new VocabularySuggestions.Suggestion(16, 6, "nozzle"));
      assertThat(VocabularySuggestions.parse("{}".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }
  }
}
