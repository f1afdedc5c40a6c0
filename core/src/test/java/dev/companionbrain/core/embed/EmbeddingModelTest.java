package dev.companionbrain.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EmbeddingModelTest {
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
}
