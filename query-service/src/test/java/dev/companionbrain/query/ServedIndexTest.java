package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.core.embed.Embedder;
import dev.companionbrain.core.embed.EmbeddingModel;
import dev.companionbrain.core.index.IndexVersions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The served version and its model's embedder, read through an injected function: no engine. */
class ServedIndexTest {
  /** An embedder of {@code model} whose vectors say which model made them: [ordinal, -text length]. */
  static Embedder of(EmbeddingModel model) {
    return new Embedder() {
      @Override
      public int dimensions() {
        return 2;
      }

      @Override
      public List<float[]> embedAll(List<String> texts) {
        return texts.stream().map(t -> new float[] {model.ordinal(), -t.length()}).toList();
      }

      @Override
      public EmbeddingModel model() {
        return model;
      }
    };
  }

  private final AtomicReference<Optional<ServedIndex.Recorded>> recorded = new AtomicReference<>(Optional.empty());
  private final List<EmbeddingModel> loaded = new ArrayList<>();
  private final Embedder initial = of(EmbeddingModel.MINILM);
  private final ServedIndex served = new ServedIndex(initial, () -> {
    Optional<ServedIndex.Recorded> r = recorded.get();
    if (r == null) {
      throw new IllegalStateException("engine away");
    }
    return r;
  }, m -> {
    loaded.add(m);
    return of(m);
  });

  @Test
  void untilTheVersionIsReadTheNamesThatServeAreSearchedWithTheStartingModel() {
    assertThat(served.current().version()).isEqualTo(IndexVersions.SERVED);
    assertThat(served.current().embedder()).isSameAs(initial);
    served.check();
    assertThat(served.current().version()).as("no index yet").isEqualTo(IndexVersions.SERVED);
    assertThat(loaded).isEmpty();
  }

  @Test
  void theCheckPinsTheServedVersionAndLoadsAModelOnlyWhenItIsAnother() {
    recorded.set(Optional.of(new ServedIndex.Recorded(1, EmbeddingModel.MINILM)));
    served.check();
    ServedIndex.Version one = served.current();
    assertThat(one.version()).isEqualTo(1);
    assertThat(one.embedder()).as("the same model: kept, nothing loaded").isSameAs(initial);
    served.check();
    assertThat(served.current()).as("nothing changed: the same pin").isSameAs(one);

    recorded.set(Optional.of(new ServedIndex.Recorded(2, EmbeddingModel.BGE_SMALL)));
    assertThat(served.current()).as("until the check, the version before").isSameAs(one);
    served.check();
    assertThat(served.current().version()).isEqualTo(2);
    assertThat(served.current().embedder().model()).isEqualTo(EmbeddingModel.BGE_SMALL);
    assertThat(served.current().embedder().embedAll(List.of("abc")).get(0)).containsExactly(EmbeddingModel.BGE_SMALL.ordinal(), -3);
    assertThat(loaded).containsExactly(EmbeddingModel.BGE_SMALL);
    assertThat(one.embedder().embedAll(List.of("abc")).get(0)).as("an answer begun before keeps its own model")
        .containsExactly(EmbeddingModel.MINILM.ordinal(), -3);

    recorded.set(Optional.of(new ServedIndex.Recorded(3, EmbeddingModel.BGE_SMALL)));
    Embedder bge = served.current().embedder();
    served.check();
    assertThat(served.current().version()).as("another version of the same model").isEqualTo(3);
    assertThat(served.current().embedder()).isSameAs(bge);
    assertThat(loaded).as("loaded once").hasSize(1);

    recorded.set(Optional.of(new ServedIndex.Recorded(1, EmbeddingModel.MINILM)));
    served.check();
    assertThat(served.current().version()).as("a rollback").isEqualTo(1);
    assertThat(served.current().embedder().model()).isEqualTo(EmbeddingModel.MINILM);
    assertThat(loaded).containsExactly(EmbeddingModel.BGE_SMALL, EmbeddingModel.MINILM);
  }

  @Test
  void anIndexThatIsGoneOrCannotBeReadChangesNothing() {
    recorded.set(Optional.of(new ServedIndex.Recorded(2, EmbeddingModel.MINILM)));
    served.check();
    ServedIndex.Version two = served.current();
    recorded.set(null);
    served.check();
    assertThat(served.current()).isSameAs(two);
    recorded.set(Optional.empty());
    served.check();
    assertThat(served.current()).isSameAs(two);
  }

  @Test
  void aFixedIndexAlwaysSearchesTheNamesThatServeWithItsOneEmbedder() {
    ServedIndex fixed = ServedIndex.fixed(initial);
    fixed.check();
    assertThat(fixed.current().version()).isEqualTo(IndexVersions.SERVED);
    assertThat(fixed.current().embedder()).isSameAs(initial);
  }
}
