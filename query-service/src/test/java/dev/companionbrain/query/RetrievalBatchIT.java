package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.document.DocumentParser;
import dev.companionbrain.core.index.IndexCreator;
import dev.companionbrain.core.index.VectorDialect;
import dev.companionbrain.core.search.ScoredId;
import dev.companionbrain.core.search.backend.BackendException;
import dev.companionbrain.core.search.backend.Bm25Retrieval;
import dev.companionbrain.core.search.backend.KnnRetrieval;
import dev.companionbrain.core.search.backend.MeilisearchRetrieval;
import dev.companionbrain.core.search.backend.Retrieval;
import dev.companionbrain.core.search.backend.RetrievalRequest;
import dev.companionbrain.localstack.LocalStack;
import dev.companionbrain.localstack.LocalStackExtension;
import dev.companionbrain.testsupport.Engines;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import org.elasticsearch.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Retrieval#searchEach} of requests restricted to some ids on the real engines (OpenSearch
 * and Meilisearch of the local stack), for each retriever: a restricted search answers exactly those
 * of its ids that the unrestricted search finds, and the score the unrestricted search gives each
 * (within 1e-6) for BM25 and kNN. That equality is what the window cache relies on when it rescores
 * the documents a generation changed for a cached window's query.
 *
 * <p><strong>Meilisearch does not keep it.</strong> Measured here (200 documents, ten queries of one
 * to nine words, Meilisearch 1.21 with the {@code "frequency"} matching strategy): the ids are right,
 * but 10 of the 61 compared {@code _rankingScore}s are lower under the {@code id IN [...]} filter than
 * without it, by 0.0004 to 0.039 (e.g. 0.7372 unfiltered, 0.7221 filtered to that one document); none
 * is higher. It is the filter, not the limit: the same filtered search with limit 200 gives the same
 * lower score, and an unfiltered one with limit 5 gives the same score as with limit 200. (Its
 * frequency matching strategy counts word frequencies over the whole index, not the filtered set, so
 * the difference comes from the ranking rules' scoring of the smaller universe.) The test pins that
 * finding rather than hiding it: a TEXT score of a restricted search is an approximation, lower by up
 * to a few hundredths, never higher.
 *
 * <p>It lives in the query service's tests, not core's, because the local stack is reached through
 * test-support, which depends on core. The documents are written to the engines directly (bulk and
 * add-documents), without the IndexingJob: what is under test is the search side only.
 */
@ExtendWith(LocalStackExtension.class)
class RetrievalBatchIT {
  private static final Logger LOG = LoggerFactory.getLogger(RetrievalBatchIT.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] WORDS = {"laminar", "boundary", "layer", "shock", "wave", "supersonic", "heat",
      "transfer", "pipe", "flutter", "panel", "buckling", "shell", "ablation", "flow", "pressure", "nozzle",
      "turbulent", "wing", "bread"};
  private static final List<String> QUERIES = List.of("laminar boundary flow", "shock wave supersonic nozzle",
      "heat transfer pipe flow", "panel flutter", "turbulent wing pressure shell", "bread",
      "boundary layer heat transfer in a supersonic nozzle flow", "flow", "shell bucling", "ablation of the wing panel");
  private static final int DOCUMENTS = 200;
  private static Engines engines;
  private static String index;
  private static VectorDialect dialect;
  private static Map<String, Retrieval> retrievals;
  private static MeilisearchRetrieval meilisearch;

  @BeforeAll
  static void index(LocalStack stack) throws Exception {
    engines = new Engines(stack.endpoints());
    index = Engines.freshNamespace();
    dialect = IndexCreator.ensureElasticsearch(engines.elasticsearch, index);
    IndexCreator.ensureMeilisearch(engines.meilisearch, index);
    Random random = new Random(42);
    StringBuilder bulk = new StringBuilder();
    List<Map<String, Object>> meiliDocuments = new ArrayList<>();
    for (int i = 0; i < DOCUMENTS; i++) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("id", "d" + i);
      doc.put("title", words(random, 2));
      doc.put("body", words(random, 3 + random.nextInt(8)));
      doc.put("tags", List.of(i % 2 == 0 ? "even" : "odd"));
      doc.put("url", "https://example.org/d" + i);
      doc.put("updated_at", "2026-11-25T10:00:00Z");
      meiliDocuments.add(new LinkedHashMap<>(doc));
      doc.put("vector", vector(random));
      bulk.append(JSON.writeValueAsString(Map.of("index", Map.of("_index", index, "_id", "d" + i)))).append('\n')
          .append(JSON.writeValueAsString(doc)).append('\n');
    }
    Request request = new Request("POST", "/_bulk");
    request.addParameter("refresh", "true");
    request.setJsonEntity(bulk.toString());
    assertThat(JSON.readTree(engines.elasticsearch.performRequest(request).getEntity().getContent())
        .path("errors").asBoolean()).isFalse();
    var task = engines.meilisearch.index(index).addDocuments(JSON.writeValueAsString(meiliDocuments), "id");
    engines.meilisearch.waitForTask(task.getTaskUid());
    assertThat(engines.meiliCount(index)).isEqualTo(DOCUMENTS);
    assertThat(engines.esCount(index)).isEqualTo(DOCUMENTS);
    meilisearch = new MeilisearchRetrieval(stack.endpoints().meilisearchUrl(), stack.endpoints().meilisearchSearchKey(),
        index, Duration.ofSeconds(5), 8);
    retrievals = Map.of("TEXT", meilisearch, "KEYWORD", new Bm25Retrieval(engines.elasticsearch, index),
        "VECTOR", new KnnRetrieval(engines.elasticsearch, index, dialect));
  }

  @AfterAll
  static void close() throws Exception {
    if (meilisearch != null) {
      meilisearch.close();
    }
    if (engines != null) {
      engines.close();
    }
  }

  private static String words(Random random, int n) {
    return String.join(" ", IntStream.range(0, n).mapToObj(i -> WORDS[random.nextInt(WORDS.length)]).toList());
  }

  private static float[] vector(Random random) {
    float[] v = new float[DocumentParser.DIMENSIONS];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  /** {@code n - 1} ids of the corpus picked by {@code seed} and one that no document has. */
  private static List<String> someIds(int seed, int n) {
    Random random = new Random(seed);
    List<String> ids = new ArrayList<>();
    while (ids.size() < n - 1) {
      String id = "d" + random.nextInt(DOCUMENTS);
      if (!ids.contains(id)) {
        ids.add(id);
      }
    }
    ids.add("no-such-document");
    return ids;
  }

  private static Map<String, Double> scores(List<ScoredId> hits) {
    Map<String, Double> out = new LinkedHashMap<>();
    hits.forEach(h -> out.put(h.id(), h.score()));
    return out;
  }

  @Test
  void restrictedSearchesAnswerTheirMatchingIdsWithTheUnrestrictedScores() {
    Map<String, List<Double>> differencesOf = new LinkedHashMap<>();
    for (var retriever : retrievals.entrySet()) {
      Retrieval retrieval = retriever.getValue();
      Random vectors = new Random(7);
      List<RetrievalRequest> restricted = new ArrayList<>();
      List<Map<String, Double>> full = new ArrayList<>();
      for (int q = 0; q < QUERIES.size(); q++) {
        float[] vector = vector(vectors);
        List<String> tags = q % 3 == 2 ? List.of("even") : List.of();
        Map<String, Double> unrestricted = scores(retrieval.search(new RetrievalRequest(QUERIES.get(q), vector, tags,
            DOCUMENTS)).join());
        List<String> ranked = new ArrayList<>(unrestricted.keySet());
        List<List<String>> restrictions = new ArrayList<>();
        restrictions.add(someIds(q, 11));
        // alone, a document is a bucket of its own from the first ranking rule on
        for (int rank : new int[] {0, 5, 20, 60}) {
          if (rank < ranked.size()) {
            restrictions.add(List.of(ranked.get(rank)));
          }
        }
        if (ranked.size() > 100) {
          restrictions.add(List.of(ranked.get(100), ranked.get(1)));
        }
        for (List<String> ids : restrictions) {
          restricted.add(new RetrievalRequest(QUERIES.get(q), vector, tags, ids.size(), ids));
          full.add(unrestricted);
        }
        if (q == 1) {
          // one that matches nothing keeps its place (an empty answer, not a shift)
          restricted.add(new RetrievalRequest(QUERIES.get(q), vector, tags, 1, List.of("no-such-document")));
          full.add(unrestricted);
        }
      }

      List<List<ScoredId>> each = retrieval.searchEach(restricted).join();

      assertThat(each).hasSize(restricted.size());
      List<Double> signed = new ArrayList<>();
      double worst = 0;
      List<String> differences = new ArrayList<>();
      for (int i = 0; i < restricted.size(); i++) {
        RetrievalRequest request = restricted.get(i);
        Map<String, Double> unrestricted = full.get(i);
        Map<String, Double> found = scores(each.get(i));
        assertThat(found.keySet()).as("%s %s %s", retriever.getKey(), request.q(), request.ids())
            .containsExactlyInAnyOrderElementsOf(request.ids().stream().filter(unrestricted::containsKey).toList());
        for (var hit : found.entrySet()) {
          double difference = Math.abs(hit.getValue() - unrestricted.get(hit.getKey()));
          signed.add(hit.getValue() - unrestricted.get(hit.getKey()));
          worst = Math.max(worst, difference);
          if (difference > 1e-6) {
            differences.add(request.q() + " " + hit.getKey() + ": " + unrestricted.get(hit.getKey()) + " -> " + hit.getValue());
          }
        }
      }
      LOG.info("{}: {} restricted requests, {} scores compared, worst difference from the unrestricted score {} {}",
          retriever.getKey(), restricted.size(), signed.size(), worst, differences);
      differencesOf.put(retriever.getKey(), signed);
    }
    assertThat(differencesOf.get("KEYWORD")).allSatisfy(d -> assertThat(d).isCloseTo(0, within(1e-6)));
    assertThat(differencesOf.get("VECTOR")).allSatisfy(d -> assertThat(d).isCloseTo(0, within(1e-6)));
    // Meilisearch: not equal (see the class comment). Pinned, so that the day a version scores a filtered
    // search like the unfiltered one this test says so, and until then nothing may rely on the equality.
    assertThat(differencesOf.get("TEXT")).allSatisfy(d -> assertThat(d).isBetween(-0.1, 1e-6))
        .anySatisfy(d -> assertThat(d).isLessThan(-1e-3));
  }

  @Test
  void aFailingSearchFailsTheBatchWithItsStatus() {
    Retrieval knn = retrievals.get("VECTOR");
    List<RetrievalRequest> requests = List.of(
        new RetrievalRequest("q", vector(new Random(1)), List.of(), 5),
        new RetrievalRequest("q", new float[] {1, 2, 3}, List.of(), 5));

    assertThatThrownBy(() -> knn.searchEach(requests).join())
        .isInstanceOf(CompletionException.class)
        .cause().isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  /** Not a bound: logs the time of one batch of 200 requests of 20 ids each, the size of a rescoring. */
  @Test
  void timeOfABatchOf200Requests() {
    Random random = new Random(3);
    List<RetrievalRequest> requests = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      List<String> ids = someIds(100 + i, 20);
      requests.add(new RetrievalRequest(QUERIES.get(i % QUERIES.size()), vector(random), List.of(), ids.size(), ids));
    }
    for (var retriever : retrievals.entrySet()) {
      retriever.getValue().searchEach(requests).join(); // warm up
      long began = System.nanoTime();
      int rounds = 5;
      for (int r = 0; r < rounds; r++) {
        assertThat(retriever.getValue().searchEach(requests).join()).hasSize(200);
      }
      LOG.info("{}: searchEach of 200 requests x 20 ids: {} ms", retriever.getKey(),
          (System.nanoTime() - began) / rounds / 1_000_000.0);
    }
  }
}
