package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.core.embed.Embedder;
import dev.companionbrain.core.embed.EmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ServedModelTest {
  /** An embedder of {@code model} whose vectors say which model made them: [ordinal, text length]. */
  private static Embedder of(EmbeddingModel model) {
    return new Embedder() {
      @Override
      public int dimensions() {
        return model.ordinal() + 2;
      }

      @Override
      public List<float[]> embedAll(List<String> texts) {
        List<float[]> vectors = new ArrayList<>();
        texts.forEach(t -> vectors.add(new float[] {model.ordinal(), t.length()}));
        return vectors;
      }

      @Override
      public EmbeddingModel model() {
        return model;
      }

      @Override
      public float[] embedQuery(String q) {
        return new float[] {model.ordinal(), -q.length()};
      }
    };
  }

  @Test
  void queriesAreEmbeddedWithTheServedIndexsModelFromTheCheckOn() {
    AtomicReference<Optional<EmbeddingModel>> served = new AtomicReference<>(Optional.of(EmbeddingModel.MINILM));
    List<EmbeddingModel> loaded = new ArrayList<>();
    ServedModel embedder = new ServedModel(of(EmbeddingModel.MINILM), served::get, m -> {
      loaded.add(m);
      return of(m);
    });
    embedder.check();
    assertThat(loaded).as("the same model: nothing loaded").isEmpty();
    assertThat(embedder.model()).isEqualTo(EmbeddingModel.MINILM);

    served.set(Optional.of(EmbeddingModel.BGE_SMALL));
    assertThat(embedder.embedQuery("abc")).as("until the check, the model before").containsExactly(EmbeddingModel.MINILM.ordinal(), -3);
    embedder.check();
    assertThat(loaded).containsExactly(EmbeddingModel.BGE_SMALL);
    assertThat(embedder.model()).isEqualTo(EmbeddingModel.BGE_SMALL);
    assertThat(embedder.embedQuery("abc")).containsExactly(EmbeddingModel.BGE_SMALL.ordinal(), -3);
    assertThat(embedder.embedAll(List.of("ab")).get(0)).containsExactly(EmbeddingModel.BGE_SMALL.ordinal(), 2);
    assertThat(embedder.embed("abcd")).containsExactly(EmbeddingModel.BGE_SMALL.ordinal(), 4);
    assertThat(embedder.dimensions()).isEqualTo(EmbeddingModel.BGE_SMALL.ordinal() + 2);
    embedder.check();
    assertThat(loaded).as("loaded once").hasSize(1);
  }

  @Test
  void anIndexThatIsGoneOrCannotBeReadChangesNothing() {
    AtomicReference<Optional<EmbeddingModel>> served = new AtomicReference<>(Optional.empty());
    ServedModel embedder = new ServedModel(of(EmbeddingModel.BGE_SMALL), () -> {
      Optional<EmbeddingModel> m = served.get();
      if (m == null) {
        throw new IllegalStateException("engine away");
      }
      return m;
    }, ServedModelTest::of);
    embedder.check();
    assertThat(embedder.model()).isEqualTo(EmbeddingModel.BGE_SMALL);
    served.set(null);
    embedder.check();
    assertThat(embedder.model()).isEqualTo(EmbeddingModel.BGE_SMALL);
    served.set(Optional.of(EmbeddingModel.MINILM));
    embedder.check();
    assertThat(embedder.model()).isEqualTo(EmbeddingModel.MINILM);
  }
}
