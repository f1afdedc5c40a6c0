package dev.companionbrain.core.search;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fusing three retrievers' lists of 50 candidates (the service's window) into a page of 10, by RRF
 * and by the weighted sum; the lists overlap by about half, as on Cranfield.
 *
 * <p>Run: {@code ./brain bench micro core FusionBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FusionBenchmark {
  private final Map<Retriever, List<ScoredId>> lists = new EnumMap<>(Retriever.class);
  private final Fusion rrf = Fusion.rrf(Weights.parse("text:0.3,keyword:1,vector:2"));
  private final Fusion weighted = Fusion.weightedSum(Weights.parse("text:0.2,keyword:0.4,vector:1"));

  public FusionBenchmark() {
    Random random = new Random(7);
    for (Retriever r : Retriever.values()) {
      List<ScoredId> hits = new ArrayList<>();
      for (int rank = 0; rank < 50; rank++) {
        double score = r == Retriever.KEYWORD ? 20.0 / (rank + 1) : 1.0 - rank / 100.0;
        hits.add(new ScoredId("doc-" + random.nextInt(100), score));
      }
      lists.put(r, hits);
    }
  }

  @Benchmark
  public List<FusedHit> rrf() {
    return rrf.fuse(lists, 10);
  }

  @Benchmark
  public List<FusedHit> weightedSum() {
    return weighted.fuse(lists, 10);
  }
}
