package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.companionbrain.core.search.BadRequestException;
import dev.companionbrain.core.search.FusionMethod;
import dev.companionbrain.core.search.Retriever;
import dev.companionbrain.core.search.ScoredId;
import dev.companionbrain.core.search.SearchDefaults;
import dev.companionbrain.core.search.SearchQuery;
import dev.companionbrain.core.search.WindowQuery;
import dev.companionbrain.core.search.Weights;
import dev.companionbrain.core.search.backend.BackendException;
import dev.companionbrain.core.search.backend.Retrieval;
import dev.companionbrain.core.search.backend.RetrievalRequest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ConnectException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The retrievers' circuit breakers, driven by injected retrievals and an injected embedder: no engine. */
class HybridSearcherTest {
  private static final SearchDefaults DEFAULTS = new SearchDefaults(FusionMethod.WEIGHTED,
      Weights.parse("text:1,keyword:1,vector:1"), Weights.parse("text:1,keyword:1,vector:1"));
  private static final float[] VECTOR = new float[384];

  private final Map<Retriever, Function<RetrievalRequest, CompletableFuture<List<ScoredId>>>> answers =
      new EnumMap<>(Retriever.class);
  private Function<String, float[]> embedding = q -> VECTOR;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final QueryEmbeddings embeddings = new QueryEmbeddings(registry);
  private final HybridSearcher searcher;

  HybridSearcherTest() {
    Map<Retriever, Retrieval> retrievals = new EnumMap<>(Retriever.class);
    Map<Retriever, Duration> timeouts = new EnumMap<>(Retriever.class);
    for (Retriever r : Retriever.values()) {
      answers.put(r, request -> CompletableFuture.completedFuture(List.of(new ScoredId("doc-" + r.wireName(), 0.5))));
      retrievals.put(r, request -> answers.get(r).apply(request));
      timeouts.put(r, Duration.ofSeconds(5));
    }
    searcher = new HybridSearcher(retrievals, timeouts, embeddings,
        ServedIndex.fixed(new FunctionEmbedder(384, t -> embedding.apply(t))), 0, new SimpleMeterRegistry());
  }

  @AfterEach
  void close() {
    embeddings.close();
  }

  private static WindowQuery query(String q, String mode) {
    return SearchQuery.fromParams(Map.of("q", q, "mode", mode)::get, DEFAULTS).window(10);
  }

  private CircuitBreaker.State state(Retriever r) {
    return searcher.breakers().get(r).state();
  }

  private void failWith(Retriever r, Throwable failure) {
    answers.put(r, request -> CompletableFuture.failedFuture(failure));
  }

  @Test
  void theEmbeddersRefusalIsTheRequestsFaultAndNeverOpensTheBreaker() {
    embedding = q -> {
      throw new IllegalArgumentException("Cannot embed empty or whitespace-only text");
    };
    for (int i = 0; i < 30; i++) {
      assertThatThrownBy(() -> searcher.search(query("hostile " + System.nanoTime(), "vector"), false))
          .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.code()).isEqualTo("invalid_query"));
    }
    assertThat(state(Retriever.VECTOR)).isEqualTo(CircuitBreaker.State.CLOSED);
    embedding = q -> VECTOR;
    assertThat(searcher.search(query("a fine query", "vector"), false).window()).extracting(h -> h.id())
        .containsExactly("doc-vector");
  }

  @Test
  void anEnginesRefusalOfTheRequestIsA400AndNeverOpensTheBreaker() {
    failWith(Retriever.TEXT, new BackendException("meilisearch", 400, "{\"code\":\"invalid_search_q\"}"));
    for (int i = 0; i < 30; i++) {
      String q = "q" + i;
      assertThatThrownBy(() -> searcher.search(query(q, "hybrid"), false)).isInstanceOf(BadRequestException.class)
          .hasMessageContaining("text retriever").hasMessageNotContaining("invalid_search_q");
    }
    assertThat(searcher.breakers().values()).allSatisfy(b -> assertThat(b.state()).isEqualTo(CircuitBreaker.State.CLOSED));
  }

  @Test
  void timeoutsConnectionErrorsAnd5xxOpenTheBreakerAndTheOthersStillAnswer() {
    failWith(Retriever.KEYWORD, new TimeoutException());
    for (int i = 0; i < 3; i++) {
      searcher.search(query("q" + i, "hybrid"), false);
    }
    failWith(Retriever.KEYWORD, new ConnectException("Connection refused"));
    searcher.search(query("q3", "hybrid"), false);
    failWith(Retriever.KEYWORD, new BackendException("elasticsearch", 503, "unavailable"));
    HybridSearcher.Outcome last = searcher.search(query("q4", "hybrid"), false);

    assertThat(state(Retriever.KEYWORD)).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(searcher.breakers().get(Retriever.KEYWORD).since()).isNotNull();
    assertThat(state(Retriever.TEXT)).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(last.window()).extracting(h -> h.id()).containsExactlyInAnyOrder("doc-text", "doc-vector");
    HybridSearcher.Outcome skipped = searcher.search(query("q5", "hybrid"), false);
    assertThat(skipped.degraded()).extracting(CandidateWindow.Degradation::reason).containsExactly("circuit_open");
  }

  @Test
  void tooManyRequestsFromTheEngineCountsAgainstIt() {
    failWith(Retriever.TEXT, new BackendException("meilisearch", 429, "slow down"));
    for (int i = 0; i < 5; i++) {
      searcher.search(query("q" + i, "hybrid"), false);
    }
    assertThat(state(Retriever.TEXT)).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void aWrongKeyOrAMissingIndexIsNeitherTheClientsFaultNorCounted() {
    failWith(Retriever.TEXT, new BackendException("meilisearch", 403, "invalid_api_key"));
    for (int i = 0; i < 10; i++) {
      HybridSearcher.Outcome outcome = searcher.search(query("q" + i, "hybrid"), false);
      assertThat(outcome.degraded()).extracting(CandidateWindow.Degradation::retriever).containsExactly("text");
    }
    assertThat(state(Retriever.TEXT)).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void whenEveryRetrieverFailsTheSearchIsUnavailable() {
    for (Retriever r : Retriever.values()) {
      failWith(r, new TimeoutException());
    }
    assertThatThrownBy(() -> searcher.search(query("q", "hybrid"), false))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(503));
  }

  /** A retrieval that records, per retriever, the version each request was asked on and the vector it carried. */
  private record Recording(Retriever retriever, List<String> asked, int version) implements Retrieval {
    @Override
    public CompletableFuture<List<ScoredId>> search(RetrievalRequest request) {
      asked.add(retriever.wireName() + "@" + version + (request.vector() == null ? "" : " " + (int) request.vector()[0]));
      return CompletableFuture.completedFuture(List.of(new ScoredId("doc-" + retriever.wireName(), 0.5)));
    }

    @Override
    public Retrieval in(int v) {
      return new Recording(retriever, asked, v);
    }
  }

  @Test
  void everyRetrieverOfASearchAsksTheVersionServedWhenItBeganAndItsModelEmbedsTheQuery() {
    List<String> asked = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    Map<Retriever, Retrieval> retrievals = new EnumMap<>(Retriever.class);
    Map<Retriever, Duration> timeouts = new EnumMap<>(Retriever.class);
    for (Retriever r : Retriever.values()) {
      retrievals.put(r, new Recording(r, asked, dev.companionbrain.core.index.IndexVersions.SERVED));
      timeouts.put(r, Duration.ofSeconds(5));
    }
    java.util.concurrent.atomic.AtomicReference<ServedIndex.Recorded> recorded = new java.util.concurrent.atomic.AtomicReference<>(
        new ServedIndex.Recorded(1, dev.companionbrain.core.embed.EmbeddingModel.MINILM));
    java.util.concurrent.atomic.AtomicReference<ServedIndex> served = new java.util.concurrent.atomic.AtomicReference<>();
    // the switch lands while the first query is being embedded: the alias moves and the service checks
    dev.companionbrain.core.embed.Embedder minilm = new FunctionEmbedder(1, t -> {
      if (recorded.get().version() == 1) {
        recorded.set(new ServedIndex.Recorded(2, dev.companionbrain.core.embed.EmbeddingModel.BGE_SMALL));
        served.get().check();
      }
      return new float[] {1};
    });
    served.set(new ServedIndex(minilm, () -> java.util.Optional.of(recorded.get()),
        m -> ServedIndexTest.of(m)));
    served.get().check();
    HybridSearcher pinned = new HybridSearcher(retrievals, timeouts, embeddings, served.get(), 0, new SimpleMeterRegistry());

    HybridSearcher.Outcome during = pinned.search(query("during the switch", "hybrid"), true);
    assertThat(during.indexVersion()).isEqualTo(1);
    assertThat(asked).as("all on version 1, the vector by its model").containsExactlyInAnyOrder("text@1", "keyword@1", "vector@1 1");
    assertThat(served.get().current().version()).as("the switch was taken in meanwhile").isEqualTo(2);

    asked.clear();
    HybridSearcher.Outcome after = pinned.search(query("after the switch", "hybrid"), true);
    assertThat(after.indexVersion()).isEqualTo(2);
    assertThat(asked).containsExactlyInAnyOrder("text@2", "keyword@2",
        "vector@2 " + dev.companionbrain.core.embed.EmbeddingModel.BGE_SMALL.ordinal());

    asked.clear();
    pinned.among(List.of(query("judged", "hybrid")), List.of("doc-text"), Duration.ofSeconds(5));
    assertThat(asked).as("judging asks the served version too").containsExactlyInAnyOrder("text@2", "keyword@2",
        "vector@2 " + dev.companionbrain.core.embed.EmbeddingModel.BGE_SMALL.ordinal());
  }
}
