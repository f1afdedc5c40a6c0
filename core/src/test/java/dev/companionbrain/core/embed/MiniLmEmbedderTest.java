package dev.companionbrain.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class MiniLmEmbedderTest {
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
}
