package dev.companionbrain.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmbeddingModelTest {
  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  @Test
  void aModelIsNamedInAnyCaseAndAnUnknownNameListsTheKnownOnes() {
    assertThat(EmbeddingModel.fromWire(" BGE-small-en-v1.5 ")).isEqualTo(EmbeddingModel.BGE_SMALL);
    assertThat(EmbeddingModel.fromWire("all-minilm-l6-v2")).isEqualTo(EmbeddingModel.MINILM);
    assertThatThrownBy(() -> EmbeddingModel.fromWire("e5"))
        .hasMessage("unknown embedding model 'e5'; known: all-minilm-l6-v2, bge-small-en-v1.5");
  }

  @Test
  void onlyBgeEmbedsAQueryAfterItsInstruction() {
    assertThat(EmbeddingModel.MINILM.queryText("shock waves")).isEqualTo("shock waves");
    assertThat(EmbeddingModel.BGE_SMALL.queryText("shock waves"))
        .isEqualTo("Represent this sentence for searching relevant passages: shock waves");
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
