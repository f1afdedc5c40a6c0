package dev.companionbrain.core.embed;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Each model's cost, one after the other in one run: a query embedding (a Cranfield-length query of
 * 17 words, the service's path: {@link Embedder#embedQuery}) and a batch of 32 documents of about
 * 150 words (the indexing job's batch, spread over the cores), so docs/s = 32 / the batch's time.
 *
 * <p>Run: {@code ./brain bench micro core EmbedderBenchmark}
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EmbedderBenchmark {
  @Param({"MINILM", "BGE_SMALL"})
  public EmbeddingModel model;

  private static final String QUERY =
      "what similarity laws must be obeyed when constructing aeroelastic models of heated high speed aircraft";
  private static final String SENTENCE = "the boundary layer on a flat plate in supersonic flow was measured with a"
      + " pitot probe and the skin friction compared with the theory of the laminar and turbulent regimes. ";

  private Embedder embedder;
  private final List<String> documents = new ArrayList<>();

  @Setup
  public void load() {
    embedder = Embedder.of(model);
    for (int i = 0; i < 32; i++) {
      documents.add(("document " + i + ": ").concat(SENTENCE.repeat(5)));
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  public float[] queryEmbedding() {
    return embedder.embedQuery(QUERY);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  public List<float[]> batchOf32Documents() {
    return embedder.embedAll(documents);
  }
}
