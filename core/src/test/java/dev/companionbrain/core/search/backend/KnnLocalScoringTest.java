package dev.companionbrain.core.search.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.core.search.ScoredId;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** A batch of searches restricted to the same ids, scored from the stored vectors (RetrievalBatchIT compares it with the engine). */
class KnnLocalScoringTest {
  private static final List<KnnRetrieval.StoredVector> STORED = List.of(
      new KnnRetrieval.StoredVector("a", new float[] {1, 0}, List.of("aero")),
      new KnnRetrieval.StoredVector("b", new float[] {1, 1}, List.of("food", "aero")),
      new KnnRetrieval.StoredVector("c", new float[] {0, 2}, List.of("food")),
      new KnnRetrieval.StoredVector("d", new float[] {-1, 0}, List.of()));

  private static RetrievalRequest request(float[] vector, List<String> tags, int limit, List<String> ids) {
    return new RetrievalRequest("q", vector, tags, limit, ids);
  }

  @Test
  void cosinesBestFirstAmongTheIdsWithinTheLimit() {
    List<ScoredId> hits = KnnRetrieval.nearest(request(new float[] {1, 0}, List.of(), 3, List.of("a", "b", "c", "d")), STORED);
    assertThat(hits).extracting(ScoredId::id).containsExactly("a", "b", "c");
    assertThat(hits.get(0).score()).isEqualTo(1.0);
    assertThat(hits.get(1).score()).isCloseTo(Math.sqrt(0.5), Offset.offset(1e-6));
    assertThat(hits.get(2).score()).isCloseTo(0, Offset.offset(1e-9));
    assertThat(KnnRetrieval.nearest(request(new float[] {1, 0}, List.of(), 10, List.of("a", "b", "c", "d")), STORED)
        .get(3)).isEqualTo(new ScoredId("d", -1.0));
  }

  @Test
  void theTagsFilterAndTheIdsRestrictionApply() {
    assertThat(KnnRetrieval.nearest(request(new float[] {0, 1}, List.of("food"), 10, List.of("a", "b", "c", "d")), STORED))
        .extracting(ScoredId::id).containsExactly("c", "b");
    assertThat(KnnRetrieval.nearest(request(new float[] {0, 1}, List.of(), 10, List.of("a")), STORED))
        .extracting(ScoredId::id).containsExactly("a");
  }

  @Test
  void vectorsOfAnotherLengthOrZeroAreNoHits() {
    assertThat(KnnRetrieval.cosineOf(new float[] {1, 0, 0}, new float[] {1, 0})).isNaN();
    assertThat(KnnRetrieval.cosineOf(new float[] {0, 0}, new float[] {1, 0})).isNaN();
    assertThat(KnnRetrieval.nearest(request(new float[] {0, 0}, List.of(), 10, List.of("a")), STORED)).isEmpty();
    assertThat(KnnRetrieval.cosineOf(new float[] {3, 4}, new float[] {6, 8})).isCloseTo(1, Offset.offset(1e-7));
  }

  @Test
  void anMgetAnswerGivesTheFoundDocumentsWithAVector() throws Exception {
    String answer = """
        {"docs":[{"_id":"a","found":true,"_source":{"vector":[0.5,-0.25],"tags":["aero"]}},
                 {"_id":"gone","found":false},
                 {"_id":"novector","found":true,"_source":{"tags":[]}},
                 {"_id":"b","found":true,"_source":{"vector":[1.0,2.0]}}]}""";
    List<KnnRetrieval.StoredVector> stored = KnnRetrieval.parseStored(answer.getBytes(StandardCharsets.UTF_8));
    assertThat(stored).extracting(KnnRetrieval.StoredVector::id).containsExactly("a", "b");
    assertThat(stored.get(0).vector()).containsExactly(0.5f, -0.25f);
    assertThat(stored.get(0).tags()).containsExactly("aero");
    assertThat(stored.get(1).tags()).isEmpty();
  }
}
