package dev.companionbrain.bench;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of a benchmark that runs the stack {@code brain up} runs ({@link StackRun}): how many
 * Flink TaskManagers, the job jar, and the classpath the query service runs from. A picocli mixin of
 * {@code brain bench cache} and {@code brain bench capacity}.
 */
final class StackOptions {
  @Option(names = "--task-managers", description = "Flink TaskManagers (default ${DEFAULT-VALUE})")
  int taskManagers = 1;

  @Option(names = "--service-classpath", description = "run the query service from this classpath instead of the "
      + "benchmark's own (to measure another build of the service)")
  String serviceClasspath = System.getProperty("java.class.path");

  @Option(names = "--jar", description = "the job jar (default ${DEFAULT-VALUE}, built by mvn install)")
  Path jar = Path.of("jobs", "target", "companion-brain-jobs.jar");

  /** {@code --service-classpath} as a report quotes it: empty when it is the benchmark's own. */
  String serviceClasspathOption() {
    return serviceClasspath.equals(System.getProperty("java.class.path")) ? "" : " --service-classpath " + serviceClasspath;
  }
}
