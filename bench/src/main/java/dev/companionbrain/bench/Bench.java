package dev.companionbrain.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./brain bench indexing|load|cache|capacity|passages|reindex}: the end-to-end benchmarks on real engines, each writing its
 * report into {@code bench-reports/} (BENCHMARKS.md says how to read them). The brain script runs this
 * class from bench/target/runtime.classpath; {@code ./brain bench micro} runs JMH beside the code instead.
 */
@Command(name = "brain bench", mixinStandardHelpOptions = true,
    description = "Benchmarks on real engines (see BENCHMARKS.md).",
    subcommands = {IndexingBenchmark.class, LoadBenchmark.class, CacheBenchmark.class, CapacityBenchmark.class,
        PassageBenchmark.class, ReindexBenchmark.class})
public final class Bench implements Callable<Integer> {

  public static void main(String[] args) {
    // a benchmark leaves Kafka and Flink threads behind: the exit ends them
    System.exit(new CommandLine(new Bench()).execute(args));
  }

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 0;
  }
}
