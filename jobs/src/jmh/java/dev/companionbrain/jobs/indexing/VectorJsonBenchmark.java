package dev.companionbrain.jobs.indexing;

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
 * A document as both engines get it, in JSON, with and without its 384-float vector: the busiest
 * code of the Elasticsearch sink once (the JDK's {@code Float.toString}).
 *
 * <p>Run: {@code ./brain bench micro jobs VectorJsonBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class VectorJsonBenchmark {
  private final IndexAction action = new IndexAction();

  public VectorJsonBenchmark() {
    Random random = new Random(3);
    action.id = "doc-1";
    action.title = "Laminar boundary layer on a flat plate";
    action.body = "The laminar boundary layer grows along a flat plate in incompressible flow; ".repeat(8);
    action.tags = new String[] {"aero"};
    action.vector = new float[384];
    for (int i = 0; i < 384; i++) {
      action.vector[i] = (float) (random.nextGaussian() / 20);
    }
  }

  @Benchmark
  public byte[] withVector() {
    return action.fieldsJson(true);
  }

  @Benchmark
  public byte[] withoutVector() {
    return action.fieldsJson(false);
  }
}
