package dev.companionbrain.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.meilisearch.sdk.Client;
import com.meilisearch.sdk.Config;
import com.meilisearch.sdk.model.TaskInfo;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.core.embed.EmbeddingModel;
import dev.companionbrain.core.index.ElasticsearchClients;
import dev.companionbrain.core.index.IndexVersions;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.jobs.indexing.RedisSink;
import dev.companionbrain.localstack.FlinkRest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./brain reindex}: a new version of the index filled from a replay of the documents topic while
 * the served one keeps answering, then the switch (issue #21). A second IndexingJob, a replay
 * ({@link IndexingConfig#replay()}: its own consumer group, the version's own indexes in both engines,
 * nothing in Redis) reads the compacted topic from its start while the live job goes on. Once it is
 * past the end offsets taken when it started and keeping up, both jobs stop with a savepoint, the alias
 * moves to the new version in one {@code _aliases} call (the one pointer for both engines: the query
 * service reads it and names both engines' indexes of the version it serves, so no answer mixes two),
 * a generation that changed everything is announced (no window of the old version is served after it),
 * and the replay runs on from its savepoint as the live job. The old version stays, with its
 * job's savepoint, for {@code --rollback} until {@code --drop-old}. What the stack of {@code ./brain up}
 * recorded ({@code .brain/endpoints.json}) says where everything is. The same rebuilds an engine whose
 * index was lost: the replay fills both engines' new version while the served one answers with what it
 * still has.
 */
@Command(name = "reindex", description = "Fill a new version of the index from a replay of the documents topic while "
    + "searches go on, then switch to it; --rollback switches back, --drop-old deletes the old version.")
public final class Reindex extends Jobs.Cluster implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String LIVE = "IndexingJob";
  private static final String PREVIOUS = "reindex.previous";
  private static final String LAST = "reindex.last.";

  @Option(names = "--embedding-model", description = "the new version's model: all-minilm-l6-v2 or bge-small-en-v1.5 "
      + "(default: the catalogue's, BRAIN_EMBEDDING_MODEL)")
  String embeddingModel;

  @Option(names = "--rollback", description = "switch back to the version before the last switch (while it is kept)")
  boolean rollback;

  @Option(names = "--drop-old", description = "delete the version before the last switch, in both engines")
  boolean dropOld;

  @Option(names = "--jar", description = "the job jar (default: ${DEFAULT-VALUE})", defaultValue = "jobs/target/companion-brain-jobs.jar")
  Path jar;

  @Option(names = "--parallelism", description = "the replay's parallelism (default ${DEFAULT-VALUE}: one slot beside ./brain up's jobs)",
      defaultValue = "1")
  int parallelism;

  @Option(names = "--timeout-minutes", description = "the longest the replay may take to catch up (default ${DEFAULT-VALUE})",
      defaultValue = "60")
  int timeoutMinutes;

  /** A job as it was submitted, and where it stood: enough to run it again. */
  record Version(int version, String savepoint, List<String> args, int parallelism) {}

  @Override
  public Integer call() throws Exception {
    if (rollback && dropOld) {
      System.err.println("reindex: --rollback or --drop-old, not both");
      return 2;
    }
    FlinkRest rest = rest();
    Jobs.Submission submission = Jobs.Submission.of(LIVE);
    IndexingConfig live = config(submission.args());
    try (RestClient es = ElasticsearchClients.builder(live.engines(), 0).build();
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, live.kafkaBootstrapServers()))) {
      Client meili = new Client(new Config(live.engines().meilisearchUrl(), live.engines().meilisearchKey()));
      if (dropOld) {
        return dropOld(es, meili, live);
      }
      if (rollback) {
        return rollback(rest, es, live, submission);
      }
      return reindex(rest, es, admin, meili, live, submission);
    }
  }

  private int reindex(FlinkRest rest, RestClient es, Admin admin, Client meili, IndexingConfig live,
      Jobs.Submission submission) throws Exception {
    String index = live.index();
    int current = IndexVersions.servedVersion(es, index).orElseThrow(() -> new IllegalStateException(
        "no index " + index + " to reindex: start the indexing job first (./brain up)"));
    String served = IndexVersions.elasticsearch(index, current);
    Optional<Version> previous = previous();
    if (previous.isPresent()) {
      System.err.printf("reindex: version %d is kept for --rollback; ./brain reindex --drop-old first%n", previous.get().version());
      return 1;
    }
    int next = IndexVersions.next(IndexVersions.versions(es, index));
    EmbeddingModel model = embeddingModel != null ? EmbeddingModel.fromWire(embeddingModel) : EmbeddedProduct.model();
    deleteMeilisearch(meili, IndexVersions.meilisearch(index, next)); // left by a replay of a version since dropped
    IndexingConfig replay = live.withIndexVersion(next, true).withConsumerGroup(replayGroup(live.consumerGroup(), next))
        .withEmbeddingModel(model);
    // a group of this name left by an earlier replay (of a version since dropped) would resume, not replay
    forgetGroup(admin, replay.consumerGroup());
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no job jar at " + jar + " (./brain up builds it)");
    }
    Map<Integer, Long> target = endOffsets(admin, live.documentsTopic());
    String jarId = rest.uploadJar(jar);
    String replayId = rest.run(jarId, submission.entryClass(), replay.programArguments(), parallelism, null, false);
    System.out.printf("replaying %s from its start into %s (%s, group %s) while %s keeps serving: job %s%n",
        live.documentsTopic(), replay.elasticsearchIndex(), model.wireName(), replay.consumerGroup(), served, replayId);
    long began = System.nanoTime();
    awaitCaughtUp(rest, admin, replayId, replay, target);
    double replaySeconds = (System.nanoTime() - began) / 1e9;

    String liveId = RunningStack.recorded("job." + LIVE).orElseThrow();
    System.out.println("caught up; stopping both jobs with a savepoint…");
    String liveSavepoint = stop(rest, liveId);
    String replaySavepoint = stop(rest, replayId);
    IndexingConfig serving = replay.withIndexVersion(IndexingConfig.SERVED, false);
    if (current == 0) {
      System.out.println(served + " was made before versions: an alias cannot share its name, so the switch deletes it "
          + "(and Meilisearch's " + index + ") and there is no rollback to it");
    }
    long switchBegan = System.nanoTime();
    IndexVersions.serve(es, index, replay.elasticsearchIndex());
    long generation = RedisSink.announceSwitch(replay.withIndexVersion(next, false), count(es, replay.elasticsearchIndex()));
    double switchMs = (System.nanoTime() - switchBegan) / 1e6;
    if (current == 0) {
      deleteMeilisearch(meili, IndexVersions.meilisearch(index, 0));
    }
    String newId;
    try {
      newId = rest.run(jarId, submission.entryClass(), serving.programArguments(), submission.parallelism(),
          replaySavepoint, false);
    } catch (FlinkRest.FlinkRestException e) {
      throw new IllegalStateException(e.getMessage() + "; the switch to " + replay.elasticsearchIndex() + " is done: run "
          + "the job from " + replaySavepoint + " with " + serving.programArguments() + " (./brain jobs upgrade --arg ...)");
    }
    Map<String, String> endpoints = RunningStack.readAll();
    Jobs.Submission.record(endpoints, LIVE, newId, submission.entryClass(), serving.programArguments(), submission.parallelism());
    endpoints.put("indexing_group", serving.consumerGroup());
    if (current > 0) {
      record(endpoints, new Version(current, liveSavepoint, submission.args(), submission.parallelism()));
    }
    // the last reindex's figures, for the operator and ./brain bench reindex
    endpoints.put(LAST + "replay_seconds", String.format(java.util.Locale.ROOT, "%.1f", replaySeconds));
    endpoints.put(LAST + "switch_ms", String.format(java.util.Locale.ROOT, "%.0f", switchMs));
    RunningStack.write(endpoints);
    System.out.printf("switched %s to %s (%s) in %.0f ms, generation %d; the replay took %.0f s and runs on as %s: job %s%n",
        index, replay.elasticsearchIndex(), model.wireName(), switchMs, generation, replaySeconds, LIVE, newId);
    if (current > 0) {
      System.out.printf("%s is kept for ./brain reindex --rollback until ./brain reindex --drop-old%n", served);
    }
    return 0;
  }

  private int rollback(FlinkRest rest, RestClient es, IndexingConfig live, Jobs.Submission submission)
      throws Exception {
    Version back = previous().orElse(null);
    if (back == null) {
      System.err.println("reindex --rollback: no version kept to roll back to (none switched from, or dropped)");
      return 1;
    }
    String index = live.index();
    String physical = IndexVersions.elasticsearch(index, back.version());
    int current = IndexVersions.servedVersion(es, index).orElseThrow();
    String served = IndexVersions.elasticsearch(index, current);
    String liveId = RunningStack.recorded("job." + LIVE).orElseThrow();
    System.out.println("stopping " + LIVE + " (" + served + ") with a savepoint…");
    String savepoint = stop(rest, liveId);
    long began = System.nanoTime();
    IndexVersions.serve(es, index, physical);
    IndexingConfig old = config(back.args());
    long generation = RedisSink.announceSwitch(old.withIndexVersion(back.version(), false), count(es, physical));
    double switchMs = (System.nanoTime() - began) / 1e6;
    String jarId = rest.uploadJar(jar);
    String id = rest.run(jarId, submission.entryClass(), back.args(), back.parallelism(), back.savepoint(), false);
    Map<String, String> endpoints = RunningStack.readAll();
    Jobs.Submission.record(endpoints, LIVE, id, submission.entryClass(), back.args(), back.parallelism());
    endpoints.put("indexing_group", old.consumerGroup());
    record(endpoints, new Version(current, savepoint, submission.args(), submission.parallelism()));
    RunningStack.write(endpoints);
    System.out.printf("rolled %s back to %s in %.0f ms, generation %d; its job catches up from its savepoint: %s%n",
        index, physical, switchMs, generation, id);
    System.out.printf("%s is kept (./brain reindex --rollback switches to it again)%n", served);
    return 0;
  }

  private int dropOld(RestClient es, Client meili, IndexingConfig live) throws IOException {
    Version old = previous().orElse(null);
    if (old == null) {
      System.err.println("reindex --drop-old: no old version is kept");
      return 1;
    }
    String index = live.index();
    String physical = IndexVersions.elasticsearch(index, old.version());
    if (IndexVersions.served(es, index).orElse("").equals(physical)) {
      throw new IllegalStateException(physical + " is the version served now; nothing dropped");
    }
    if (old.version() > 0) {
      es.performRequest(new Request("DELETE", "/" + physical));
    }
    String meilisearch = IndexVersions.meilisearch(index, old.version());
    deleteMeilisearch(meili, meilisearch);
    Map<String, String> endpoints = RunningStack.readAll();
    endpoints.keySet().removeIf(k -> k.startsWith(PREVIOUS + "."));
    RunningStack.write(endpoints);
    System.out.printf("dropped %s and Meilisearch's %s; the savepoint %s is left for the operator%n", physical,
        meilisearch, old.savepoint());
    return 0;
  }

  private static final java.util.regex.Pattern WRITTEN = java.util.regex.Pattern.compile("A savepoint has been created at: (\\S+?),");

  /**
   * Stops a job with a savepoint. When Flink wrote the savepoint and the job then failed while finishing
   * ("the savepoint is consistent", in Flink's words), the job is cancelled if it restarted, so that it
   * writes nothing more, and the savepoint is used: one line says so, with the job's exceptions.
   */
  private static String stop(FlinkRest rest, String jobId) {
    try {
      return rest.stopWithSavepoint(jobId, null, Duration.ofMinutes(5));
    } catch (FlinkRest.FlinkRestException e) {
      java.util.regex.Matcher written = WRITTEN.matcher(e.getMessage());
      if (!written.find()) {
        throw new IllegalStateException(e.getMessage() + "; the job's exceptions: " + rest.exceptions(jobId));
      }
      List<String> terminal = List.of("FAILED", "CANCELED", "FINISHED");
      String state = rest.state(jobId);
      if (!terminal.contains(state)) {
        try {
          rest.cancel(jobId);
          rest.awaitState(jobId, "CANCELED", Duration.ofMinutes(2));
        } catch (FlinkRest.FlinkRestException notCancelled) {
          state = rest.state(jobId); // it reached another terminal state meanwhile (FAILED): nothing runs
          if (!terminal.contains(state)) {
            throw notCancelled;
          }
        }
      }
      System.out.println("job " + jobId + " failed after its savepoint was written (" + state + "; " + rest.exceptions(jobId)
          + "); going on from the savepoint, which Flink reports consistent");
      return written.group(1);
    }
  }

  /** Deletes Meilisearch's index {@code name}, if there is one. */
  private static void deleteMeilisearch(Client meili, String name) {
    TaskInfo task = meili.deleteIndex(name);
    meili.waitForTask(task.getTaskUid()); // fails (index_not_found) when there is none: nothing to delete
  }

  /** Polls the replay's committed offsets with a progress bar until it has caught up ({@link ReplayProgress}). */
  private void awaitCaughtUp(FlinkRest rest, Admin admin, String jobId, IndexingConfig replay, Map<Integer, Long> target)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(timeoutMinutes).toNanos();
    long keepingUp = 10L * replay.batchSize();
    try (ProgressBar bar = new ProgressBarBuilder().setTaskName("replayed").setInitialMax(target.values().stream()
        .mapToLong(Long::longValue).sum()).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed().build()) {
      while (true) {
        String state = rest.state(jobId);
        if (!state.equals("RUNNING") && !state.equals("CREATED") && !state.equals("INITIALIZING")) {
          throw new IllegalStateException("the replay job " + jobId + " is " + state + ": " + rest.exceptions(jobId)
              + "; the served version is untouched");
        }
        ReplayProgress progress = new ReplayProgress(target, committed(admin, replay), endOffsets(admin, replay.documentsTopic()));
        bar.stepTo(progress.replayed());
        bar.setExtraMessage(" lag " + progress.lag());
        if (progress.caughtUp(keepingUp)) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the replay did not catch up within " + timeoutMinutes + " minutes (lag "
              + progress.lag() + "); it still runs as job " + jobId + ", the served version is untouched");
        }
        Thread.sleep(500); // polling the group's committed offsets, as ingest --wait does
      }
    }
  }

  /** The consumer group of the replay into {@code version}: the live group's name (less its own version) and the version's. */
  static String replayGroup(String liveGroup, int version) {
    return liveGroup.replaceFirst("-v[0-9]+$", "") + "-v" + version;
  }

  private static void forgetGroup(Admin admin, String group) throws Exception {
    if (admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().isEmpty()) {
      return;
    }
    admin.deleteConsumerGroups(List.of(group)).all().get();
    System.out.println("deleted consumer group " + group + " of an earlier replay, so that this one reads from the start");
  }

  private static Map<Integer, Long> endOffsets(Admin admin, String topic) throws Exception {
    var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
    Map<TopicPartition, OffsetSpec> latest = partitions.stream()
        .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
    Map<Integer, Long> ends = new HashMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
    return ends;
  }

  private static Map<Integer, Long> committed(Admin admin, IndexingConfig config) throws Exception {
    Map<Integer, Long> offsets = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(config.consumerGroup()).partitionsToOffsetAndMetadata().get();
    committed.forEach((tp, at) -> {
      if (at != null && tp.topic().equals(config.documentsTopic())) {
        offsets.put(tp.partition(), at.offset());
      }
    });
    return offsets;
  }

  private static long count(RestClient es, String physical) throws IOException {
    es.performRequest(new Request("POST", "/" + physical + "/_refresh"));
    var answer = JSON.readTree(es.performRequest(new Request("GET", "/" + physical + "/_count")).getEntity().getContent());
    return answer.path("count").asLong();
  }

  /** The job's configuration from its program arguments over this process's environment and the recorded Meilisearch key. */
  private static IndexingConfig config(List<String> args) {
    Map<String, String> env = new HashMap<>(System.getenv());
    RunningStack.get(Setting.MEILISEARCH_KEY, "meilisearch_key").ifPresent(k -> env.put(Setting.MEILISEARCH_KEY.variable(), k));
    return IndexingConfig.from(Settings.fromArgsAndEnvironment(args.toArray(String[]::new), env, IndexingConfig.SETTINGS));
  }

  /**
   * Records a stack {@code ./brain up} did not start in the running-stack file, as up records its own:
   * the live IndexingJob's submission, the Flink REST URL, the Meilisearch key and the indexing group
   * (for a benchmark or a test that runs its own cluster and then this command).
   */
  public static void recordStack(String flinkRest, String meilisearchKey, String jobId, IndexingConfig live, int parallelism) {
    Map<String, String> endpoints = new java.util.LinkedHashMap<>();
    Jobs.Submission.record(endpoints, LIVE, jobId, dev.companionbrain.jobs.indexing.IndexingJob.class.getName(),
        live.programArguments(), parallelism);
    endpoints.put("flink_rest", flinkRest);
    endpoints.put("meilisearch_key", meilisearchKey);
    endpoints.put("indexing_group", live.consumerGroup());
    RunningStack.write(endpoints);
  }

  /** The last reindex's figures, as it recorded them: the replay's seconds and the switch's milliseconds. */
  public record Figures(double replaySeconds, double switchMs) {
    public static Figures last() {
      return new Figures(Double.parseDouble(RunningStack.recorded(LAST + "replay_seconds").orElse("NaN")),
          Double.parseDouble(RunningStack.recorded(LAST + "switch_ms").orElse("NaN")));
    }
  }

  /** The version switched from, while it is kept. */
  static Optional<Version> previous() {
    Optional<String> version = RunningStack.recorded(PREVIOUS + ".version");
    if (version.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Version(Integer.parseInt(version.get()), RunningStack.recorded(PREVIOUS + ".savepoint").orElseThrow(),
          JSON.readValue(RunningStack.recorded(PREVIOUS + ".args").orElse("[]"), new TypeReference<List<String>>() {}),
          Integer.parseInt(RunningStack.recorded(PREVIOUS + ".parallelism").orElse("1"))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void record(Map<String, String> endpoints, Version v) {
    try {
      endpoints.put(PREVIOUS + ".version", Integer.toString(v.version()));
      endpoints.put(PREVIOUS + ".savepoint", v.savepoint());
      endpoints.put(PREVIOUS + ".args", JSON.writeValueAsString(v.args()));
      endpoints.put(PREVIOUS + ".parallelism", Integer.toString(v.parallelism()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
