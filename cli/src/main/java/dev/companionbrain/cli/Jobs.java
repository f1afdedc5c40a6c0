package dev.companionbrain.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.localstack.FlinkRest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The operator's verbs on the Flink cluster, through its REST API: list, savepoint, upgrade, cancel.
 * The cluster is the one {@code brain up} runs ({@code .brain/endpoints.json}), or {@code --flink-url}
 * / {@code BRAIN_FLINK_URL}.
 */
@Command(name = "jobs", description = "The Flink jobs: list, savepoint, upgrade (stop with savepoint, run a new jar from it), cancel.",
    subcommands = {Jobs.ListJobs.class, Jobs.Savepoint.class, Jobs.Upgrade.class, Jobs.Cancel.class})
final class Jobs implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 0;
  }

  /** Where the cluster is. */
  static class Cluster {
    @Option(names = "--flink-url", description = "the Flink REST URL (default: the cluster of ./brain up, or BRAIN_FLINK_URL)")
    String flinkUrl;

    FlinkRest rest() {
      return new FlinkRest(flinkUrl != null ? flinkUrl : RunningStack.require(Setting.FLINK_URL, "flink_rest"));
    }
  }

  /** How a job was submitted, as {@code brain up} recorded it (for an upgrade with the same arguments). */
  record Submission(String entryClass, List<String> args, int parallelism) {
    static void record(Map<String, String> endpoints, String name, String jobId, String entryClass, List<String> args,
        int parallelism) {
      try {
        endpoints.put("job." + name, jobId);
        endpoints.put("job." + name + ".entry_class", entryClass);
        endpoints.put("job." + name + ".args", JSON.writeValueAsString(args));
        endpoints.put("job." + name + ".parallelism", Integer.toString(parallelism));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    static Submission of(String name) {
      String entry = RunningStack.recorded("job." + name + ".entry_class").orElseThrow(() ->
          new IllegalStateException("no submission of " + name + " recorded in " + RunningStack.file()
              + ": give --entry-class and --arg"));
      try {
        List<String> args = JSON.readValue(RunningStack.recorded("job." + name + ".args").orElse("[]"),
            new TypeReference<List<String>>() {});
        int parallelism = Integer.parseInt(RunningStack.recorded("job." + name + ".parallelism")
            .orElse("1"));
        return new Submission(entry, args, parallelism);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static FlinkRest.Job active(FlinkRest rest, String nameOrId) {
    return rest.activeJob(nameOrId).orElseThrow(() -> new IllegalStateException("no running job named or with id "
        + nameOrId + " on " + rest.url() + " (./brain jobs list shows them)"));
  }

  @Command(name = "list", description = "Every job of the cluster: id, state, name, start, checkpoints, restarts.")
  static final class ListJobs extends Cluster implements Callable<Integer> {
    @Override
    public Integer call() {
      FlinkRest rest = rest();
      List<FlinkRest.Job> jobs = rest.jobs();
      System.out.printf("%-32s  %-11s  %-16s  %-20s  %11s  %8s%n", "id", "state", "name", "started", "checkpoints",
          "restarts");
      for (FlinkRest.Job j : jobs) {
        boolean live = !List.of("FINISHED", "CANCELED", "FAILED").contains(j.state());
        System.out.printf("%-32s  %-11s  %-16s  %-20s  %11s  %8s%n", j.id(), j.state(), j.name(),
            Instant.ofEpochMilli(j.startTime()).toString().substring(0, 19),
            live ? Long.toString(rest.completedCheckpoints(j.id())) : "-", live ? Long.toString(rest.restarts(j.id())) : "-");
      }
      System.out.println("web UI: " + rest.url());
      return 0;
    }
  }

  @Command(name = "savepoint", description = "Take a savepoint of a running job; prints where it is.")
  static final class Savepoint extends Cluster implements Callable<Integer> {
    @Option(names = "--job", description = "job name or id (default: ${DEFAULT-VALUE})", defaultValue = "IndexingJob")
    String job;

    @Option(names = "--dir", description = "target directory (default: the cluster's state.savepoints.dir)")
    String dir;

    @Override
    public Integer call() {
      FlinkRest rest = rest();
      FlinkRest.Job j = active(rest, job);
      String location = rest.savepoint(j.id(), dir, Duration.ofMinutes(5));
      System.out.println("savepoint of " + j.name() + " (" + j.id() + "): " + location);
      return 0;
    }
  }

  @Command(name = "upgrade", description = "Stop a job with a savepoint, upload a new jar and run it from that savepoint"
      + " with the same entry class and arguments (operator uids keep the state).")
  static final class Upgrade extends Cluster implements Callable<Integer> {
    @Option(names = "--jar", required = true, description = "the new job jar (e.g. jobs/target/companion-brain-jobs.jar)")
    Path jar;

    @Option(names = "--job", description = "job name or id (default: ${DEFAULT-VALUE})", defaultValue = "IndexingJob")
    String job;

    @Option(names = "--entry-class", description = "entry class (default: as recorded by ./brain up)")
    String entryClass;

    @Option(names = "--arg", description = "a program argument, repeated (default: as recorded by ./brain up)")
    List<String> args;

    @Option(names = "--parallelism", description = "parallelism (default: as recorded by ./brain up)")
    Integer parallelism;

    @Option(names = "--allow-non-restored-state", description = "run even if the new jar dropped an operator of the savepoint")
    boolean allowNonRestoredState;

    @Override
    public Integer call() {
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException("no jar at " + jar);
      }
      FlinkRest rest = rest();
      FlinkRest.Job old = active(rest, job);
      Submission recorded = entryClass != null && args != null ? null : Submission.of(old.name());
      String entry = entryClass != null ? entryClass : recorded.entryClass();
      List<String> arguments = args != null ? args : recorded.args();
      int p = parallelism != null ? parallelism : recorded == null ? 1 : recorded.parallelism();
      System.out.println("stopping " + old.name() + " (" + old.id() + ") with a savepoint…");
      String savepoint = rest.stopWithSavepoint(old.id(), null, Duration.ofMinutes(5));
      System.out.println("savepoint: " + savepoint);
      String jarId = rest.uploadJar(jar);
      String id;
      try {
        id = rest.run(jarId, entry, arguments, p, savepoint, allowNonRestoredState);
      } catch (FlinkRest.FlinkRestException e) {
        throw new IllegalStateException(e.getMessage() + "; the job is stopped, its savepoint is " + savepoint);
      }
      System.out.println(old.name() + " runs again from the savepoint: " + id + "   " + rest.url() + "/#/job/running/" + id);
      if (Files.exists(RunningStack.file())) {
        Map<String, String> endpoints = RunningStack.readAll();
        Submission.record(endpoints, old.name(), id, entry, arguments, p);
        RunningStack.write(endpoints);
      }
      return 0;
    }
  }

  @Command(name = "cancel", description = "Cancel a running job (its last checkpoint stays: state.checkpoints.dir).")
  static final class Cancel extends Cluster implements Callable<Integer> {
    @Option(names = "--job", description = "job name or id (default: ${DEFAULT-VALUE})", defaultValue = "IndexingJob")
    String job;

    @Override
    public Integer call() {
      FlinkRest rest = rest();
      FlinkRest.Job j = active(rest, job);
      rest.cancel(j.id());
      rest.awaitState(j.id(), "CANCELED", Duration.ofMinutes(2));
      System.out.println("cancelled " + j.name() + " (" + j.id() + ")");
      return 0;
    }
  }
}
