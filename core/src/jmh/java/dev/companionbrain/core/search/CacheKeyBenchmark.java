package dev.companionbrain.core.search;

import dev.companionbrain.core.text.VisibleText;
import java.util.Map;
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
 * What every search pays before any cache answers, cache hits included: parsing the request,
 * normalising the query text, the canonical form (L1's key) and its SHA-256 (L2's key).
 *
 * <p>Run: {@code ./brain bench micro core CacheKeyBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CacheKeyBenchmark {
  private final SearchDefaults defaults = new SearchDefaults(FusionMethod.WEIGHTED,
      Weights.parse("text:0.3,keyword:1,vector:2"), Weights.parse("text:0.2,keyword:0.4,vector:1"));
  private final Map<String, String> params = Map.of("q", "What is the Boundary Layer separation on a flat plate",
      "mode", "hybrid", "k", "10", "tags", "aero,thermal");
  private final SearchQuery query = SearchQuery.fromParams(params::get, defaults);

  @Benchmark
  public SearchQuery parse() {
    return SearchQuery.fromParams(params::get, defaults);
  }

  @Benchmark
  public String normalize() {
    return VisibleText.normalize(query.q());
  }

  @Benchmark
  public String canonicalForm() {
    return query.window(100).canonicalForm();
  }

  @Benchmark
  public String sharedKey() {
    return query.window(100).cacheKey();
  }
}
