package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.core.embed.Embedder;
import dev.companionbrain.core.embed.EmbeddingModel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Query embeddings: cached by model and normalised text, afresh on request, on the pool's daemon threads, timed when computed. */
class QueryEmbeddingsTest {
  private final AtomicInteger computed = new AtomicInteger();
  private final List<Boolean> daemon = new CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FunctionEmbedder embedder = new FunctionEmbedder(2, t -> {
    computed.incrementAndGet();
    daemon.add(Thread.currentThread().isDaemon());
    return new float[] {t.length(), 1};
  });
  private final QueryEmbeddings embeddings = new QueryEmbeddings(registry);

  @AfterEach
  void close() {
    embeddings.close();
  }

  private long timed() {
    return registry.get(SearchStages.METER).tag("stage", SearchStages.EMBEDDING).timer().count();
  }

  @Test
  void aQueryIsEmbeddedOnceByItsNormalisedTextAndAfreshOnlyWhenAsked() {
    assertThat(embeddings.embed(embedder, "Wing  Flutter", false).join()).containsExactly(12, 1);
    assertThat(embeddings.embed(embedder, "wing flutter", false).join()).containsExactly(12, 1);
    assertThat(computed).hasValue(1);
    assertThat(embeddings.embed(embedder, "wing flutter", true).join()).containsExactly(12, 1);
    assertThat(computed).hasValue(2);
    assertThat(timed()).isEqualTo(2);
    assertThat(registry.get(SearchStages.METER).tag("stage", SearchStages.EMBEDDING).timer().totalTime(TimeUnit.SECONDS))
        .isLessThan(60);
  }

  @Test
  void embeddingsRunOnDaemonThreadsThatNeverHoldTheJvmOpen() {
    embeddings.embed(embedder, "boundary layer", true).join();
    assertThat(daemon).containsExactly(true);
  }

  @Test
  void aVectorOfOneModelIsNeverReusedForAnother() {
    Embedder other = new Embedder() {
      @Override
      public int dimensions() {
        return 2;
      }

      @Override
      public java.util.List<float[]> embedAll(java.util.List<String> texts) {
        return texts.stream().map(t -> new float[] {-1, -1}).toList();
      }

      @Override
      public EmbeddingModel model() {
        return EmbeddingModel.BGE_SMALL;
      }
    };
    assertThat(embedder.model()).isNotEqualTo(other.model());
    assertThat(embeddings.embed(embedder, "wing flutter", false).join()).containsExactly(12, 1);
    assertThat(embeddings.embed(other, "wing flutter", false).join()).containsExactly(-1, -1);
    assertThat(embeddings.embed(embedder, "wing flutter", false).join()).containsExactly(12, 1);
    assertThat(computed).as("the first model's vector stayed cached").hasValue(1);
  }
}
