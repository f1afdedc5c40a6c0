package dev.companionbrain.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnnxEmbedderTest {
  private final Embedder embedder = Embedder.miniLm();

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  @Test
  void givesTheSameVectorsAsLangchain4jsOwnModel() {
    List<String> texts = List.of("laminar boundary layer on a flat plate", "buckling of thin cylindrical shells");
    var stock = new AllMiniLmL6V2QuantizedEmbeddingModel();
    List<float[]> ours = embedder.embedAll(texts);
    for (int i = 0; i < texts.size(); i++) {
      float[] theirs = stock.embed(TextSegment.from(texts.get(i))).content().vector();
      assertThat(dot(ours.get(i), theirs)).as("cosine with the stock model, text %d", i).isCloseTo(1.0, within(1e-4));
    }
  }

  @Test
  void aBatchGivesUnitVectorsInOrderEqualToOneByOne() {
    List<String> texts = List.of("shock wave", "heat transfer in hypersonic flow", "  ", "panel flutter at supersonic speed");
    List<float[]> batch = embedder.embedAll(texts);
    assertThat(batch).hasSize(4);
    for (int i = 0; i < texts.size(); i++) {
      assertThat(batch.get(i)).hasSize(embedder.dimensions());
      assertThat(dot(batch.get(i), batch.get(i))).isCloseTo(1.0, within(1e-3));
      assertThat(dot(batch.get(i), embedder.embed(texts.get(i)))).isCloseTo(1.0, within(1e-5));
    }
  }

  @Test
  void relatedTextsAreCloserThanUnrelatedOnes() {
    float[] flow = embedder.embed("turbulent boundary layer separation");
    float[] related = embedder.embed("separation of the turbulent boundary layer on a wing");
    float[] unrelated = embedder.embed("a recipe for apple pie");
    assertThat(dot(flow, related)).isGreaterThan(dot(flow, unrelated) + 0.3);
  }

  @Test
  void bgeGivesTheVectorsOfLangchain4jsOwnModelAndItsQueriesFindTheirDocuments() {
    Embedder bge = Embedder.of(EmbeddingModel.BGE_SMALL);
    assertThat(bge.model()).isEqualTo(EmbeddingModel.BGE_SMALL);
    assertThat(Embedder.of(EmbeddingModel.BGE_SMALL)).as("loaded once").isSameAs(bge);
    List<String> documents = List.of("The laminar boundary layer grows along a flat plate in incompressible flow.",
        "Axial compression makes thin-walled cylinders buckle at loads below classical predictions.");
    List<float[]> vectors = bge.embedAll(documents);
    var stock = new BgeSmallEnV15QuantizedEmbeddingModel();
    for (int i = 0; i < documents.size(); i++) {
      assertThat(vectors.get(i)).hasSize(384);
      float[] theirs = stock.embed(TextSegment.from(documents.get(i))).content().vector();
      assertThat(dot(vectors.get(i), theirs)).as("cosine with the stock model, document %d", i).isCloseTo(1.0, within(1e-4));
    }
    float[] query = bge.embedQuery("why do thin cylinders buckle under compression");
    assertThat(dot(query, query)).isCloseTo(1.0, within(1e-3));
    assertThat(dot(query, vectors.get(1))).isGreaterThan(dot(query, vectors.get(0)));
    assertThat(bge.embedQuery("x")).isNotEqualTo(bge.embed("x"));
    Embedder miniLm = Embedder.miniLm();
    assertThat(miniLm.embedQuery("x")).as("MiniLM embeds a query as written").isEqualTo(miniLm.embed("x"));
  }
}
