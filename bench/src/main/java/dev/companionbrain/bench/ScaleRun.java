package dev.companionbrain.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.jobs.indexing.IndexingJob;
import dev.companionbrain.localstack.LocalStack;
import dev.companionbrain.testsupport.Engines;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.elasticsearch.client.Request;

/**
 * The scale phase of {@link IndexingBenchmark} ({@code --only scale --scale 200000}): one job streams
 * {@code count} documents with supplied vectors. The first 10,000 are produced, indexed, and queried
 * (kNN and BM25 on OpenSearch, a keyword search on Meilisearch, p50 of 40 each after 10 of warm-up);
 * then the rest are produced at once and the same queries run again at the end. The clock of the run
 * stops while the 10,000-document queries run. Reports docs/s per 10 % of the run (from both engines'
 * counts, polled every 500 ms: a decile ends when both hold that many), the job JVM's heap after a GC
 * (the MiniCluster runs in this JVM) and the engines' resident memory, and checks that nothing is lost
 * (both counts, and 1,000 random ids in both engines).
 */
final class ScaleRun {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int FIRST = 10_000;

  private ScaleRun() {}

  static String run(LocalStack stack, Engines engines, int count, List<String[]> texts) throws Exception {
    return run(stack, engines, count, texts, false);
  }

  /** @param embedding documents without a vector, so the job embeds each (the smaller run) */
  static String run(LocalStack stack, Engines engines, int count, List<String[]> texts, boolean embedding) throws Exception {
    IndexingConfig config = IndexingConfig.inNamespace(Engines.freshNamespace(),
        engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 2000);
    String index = config.index();
    IndexingJob.prepare(config);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, new Configuration());
    JobClient job = IndexingJob.start(env, config);
    StringBuilder report = new StringBuilder();
    try {
      Random vectors = new Random(42);
      // a first document proves the job is consuming before the clock starts; the counts below leave it out
      engines.produce(config.documentsTopic(), "probe", Engines.doc("probe", "probe", "probe document"));
      engines.flush();
      waitUntil(engines, index, 1, 0, 0, new long[10], 10, () -> 0L);
      List<Long> pids = new ArrayList<>(List.of(ProcessHandle.current().pid()));
      pids.addAll(stack.pids());
      long[] cpuBefore = cpuTicks(pids);
      long began = System.nanoTime();
      long paused = 0;
      long[] decileEnds = new long[10];
      int nextDecile = 0;
      produce(engines, config, texts, embedding ? null : vectors, 0, Math.min(FIRST, count));
      nextDecile = waitUntil(engines, index, Math.min(FIRST, count), count, began, decileEnds, nextDecile, () -> 0L);
      long pauseStart = System.nanoTime();
      double[] at10k = queries(engines, index, texts);
      paused = System.nanoTime() - pauseStart;
      long pausedFinal = paused;
      Thread producer = new Thread(() -> produce(engines, config, texts, embedding ? null : vectors, Math.min(FIRST, count),
          count), "scale-producer");
      producer.start();
      waitUntil(engines, index, count, count, began, decileEnds, nextDecile, () -> pausedFinal);
      producer.join();
      double total = (decileEnds[9] - began - paused) / 1e9;
      long[] cpuAfter = cpuTicks(pids);
      double wall = (decileEnds[9] - began) / 1e9;
      double[] at200k = queries(engines, index, texts);

      report.append(String.format(Locale.ROOT, "%n## Scale: %,d documents %s, one job%n%n", count,
          embedding ? "embedded by the job" : "with supplied vectors"));
      report.append(String.format(Locale.ROOT, "%,d docs in %.1f s = %.0f docs/s overall (query pause at %,d excluded)%n%n",
          count, total, count / total, FIRST));
      report.append("| decile | docs/s |\n|---|---|\n");
      double first = 0;
      double last = 0;
      long previous = began;
      for (int d = 0; d < 10; d++) {
        long span = decileEnds[d] - previous;
        if (d == Math.min(9, FIRST * 10 / count)) { // the decile during which the 10k queries ran
          span -= paused;
        }
        double rate = (count / 10.0) / (span / 1e9);
        if (d == 0) {
          first = rate;
        }
        last = rate;
        report.append(String.format(Locale.ROOT, "| %d-%d %% | %.0f |%n", d * 10, d * 10 + 10, rate));
        previous = decileEnds[d];
      }
      report.append(String.format(Locale.ROOT, "%nlast 10 %% / first 10 %%: %.2f (target >= 0.8: %s)%n", last / first,
          last / first >= 0.8 ? "met" : "not met"));
      report.append("\n| query p50 (ms) | at 10k | at " + count / 1000 + "k | ratio (target <= 2) |\n|---|---|---|---|\n");
      String[] names = {"OpenSearch kNN (k=10)", "OpenSearch BM25 (multi_match)", "Meilisearch keyword"};
      for (int q = 0; q < 3; q++) {
        double ratio = at200k[q] / at10k[q];
        report.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.2f (%s) |%n", names[q], at10k[q], at200k[q], ratio,
            ratio <= 2 ? "met" : "not met"));
      }
      // where the CPU went: each process's user + system time over the run, from /proc
      String[] who = {"pipeline JVM (MiniCluster, producer, benchmark)", "Kafka", "OpenSearch", "Meilisearch", "Redis"};
      double cores = Runtime.getRuntime().availableProcessors();
      double used = 0;
      report.append(String.format(Locale.ROOT, "%n| process | CPU s over the run | CPU ms per document | share of %.0f cores x %.0f s |%n|---|---|---|---|%n",
          cores, wall));
      for (int i = 0; i < pids.size(); i++) {
        double seconds = (cpuAfter[i] - cpuBefore[i]) / 100.0; // USER_HZ
        used += seconds;
        report.append(String.format(Locale.ROOT, "| %s | %.1f | %.2f | %.0f %% |%n", who[i], seconds, 1000 * seconds / count,
            100 * seconds / (cores * wall)));
      }
      report.append(String.format(Locale.ROOT, "| all | %.1f | %.2f | %.0f %% |%n", used, 1000 * used / count,
          100 * used / (cores * wall)));
      System.gc();
      var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      report.append(String.format(Locale.ROOT, "%nJVM (job and benchmark) heap after GC: %d MB used of %d MB committed%n",
          heap.getUsed() >> 20, heap.getCommitted() >> 20));
      List<Long> enginePids = stack.pids();
      String[] engineNames = {"Kafka", "OpenSearch", "Meilisearch", "Redis"};
      report.append("\nengines' resident memory at the end: ");
      for (int i = 0; i < enginePids.size(); i++) {
        report.append(i == 0 ? "" : ", ").append(engineNames[i]).append(' ').append(rssMb(enginePids.get(i))).append(" MB");
      }
      report.append('\n');
      long es = engines.esCount(index);
      long meili = meiliDocuments(engines, index);
      int missing = sampleMissing(engines, index, count, 1000);
      report.append(String.format(Locale.ROOT, "%nnothing lost: OpenSearch %,d, Meilisearch %,d documents (and the probe); of 1,000 random ids %d missing (%s)%n",
          es - 1, meili - 1, missing, es - 1 == count && meili - 1 == count && missing == 0 ? "met" : "NOT MET"));
      IndexingJobStatus.check(job);
    } finally {
      job.cancel().get();
    }
    return report.toString();
  }

  /** Placeholder to keep the job's state in the report honest: fails the run if the job ended. */
  private static final class IndexingJobStatus {
    static void check(JobClient job) throws Exception {
      if (job.getJobStatus().get().isGloballyTerminalState()) {
        throw new IllegalStateException("the job ended: " + job.getJobStatus().get());
      }
    }
  }

  /** CPU time (user + system, in clock ticks of 1/100 s) of each process so far, from /proc/PID/stat. */
  private static long[] cpuTicks(List<Long> pids) {
    long[] ticks = new long[pids.size()];
    for (int i = 0; i < pids.size(); i++) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pids.get(i) + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks[i] = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
      } catch (Exception e) {
        ticks[i] = 0;
      }
    }
    return ticks;
  }

  private static void produce(Engines engines, IndexingConfig config, List<String[]> texts, Random vectors, int from, int to) {
    for (int i = from; i < to; i++) {
      String[] t = texts.get(i % texts.size());
      if (vectors == null) {
        engines.produce(config.documentsTopic(), "s" + i, "{\"op\":\"upsert\",\"id\":\"s" + i + "\",\"title\":\""
            + t[1].replace("\"", "'") + " " + i + "\",\"body\":\"" + t[2].replace("\"", "'") + "\"}");
        continue;
      }
      StringBuilder v = new StringBuilder("[");
      for (int k = 0; k < 384; k++) {
        v.append(k == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", vectors.nextGaussian() / 20));
      }
      engines.produce(config.documentsTopic(), "s" + i, "{\"op\":\"upsert\",\"id\":\"s" + i + "\",\"title\":\""
          + t[1].replace("\"", "'") + "\",\"body\":\"" + t[2].replace("\"", "'") + "\",\"vector\":" + v + "]}");
    }
    engines.flush();
  }

  /** Polls both counts until {@code target}; records when each decile of {@code count} was reached by both. */
  private static int waitUntil(Engines engines, String index, int target, int count, long began, long[] decileEnds,
      int nextDecile, java.util.function.LongSupplier pausedNanos) throws Exception {
    long deadline = System.currentTimeMillis() + 3_600_000;
    while (System.currentTimeMillis() < deadline) {
      long both = Math.min(engines.esSearchableCount(index), meiliDocuments(engines, index)) - (count == 0 ? 0 : 1);
      long now = System.nanoTime();
      while (nextDecile < 10 && both >= (long) count * (nextDecile + 1) / 10) {
        decileEnds[nextDecile++] = now;
      }
      if (both >= target) {
        return nextDecile;
      }
      Thread.sleep(500); // polling the engines' counts
    }
    throw new IllegalStateException("not indexed within an hour");
  }

  private static long meiliDocuments(Engines engines, String index) throws Exception {
    var response = HTTP.send(HttpRequest.newBuilder(URI.create(engines.endpoints.meilisearchUrl() + "/indexes/" + index + "/stats"))
        .header("Authorization", "Bearer " + engines.endpoints.meilisearchKey()).build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 ? JSON.readTree(response.body()).get("numberOfDocuments").asLong() : 0;
  }

  /** p50 in ms of kNN, BM25 and Meilisearch searches (40 each after 10 of warm-up). */
  private static double[] queries(Engines engines, String index, List<String[]> texts) throws Exception {
    Random random = new Random(3);
    double[][] times = new double[3][40];
    for (int i = -10; i < 40; i++) {
      String words = texts.get(random.nextInt(texts.size()))[2].split(" ", 4).length >= 3
          ? String.join(" ", Arrays.copyOf(texts.get(random.nextInt(texts.size()))[2].split(" "), 3)) : "boundary layer";
      StringBuilder v = new StringBuilder("[");
      for (int k = 0; k < 384; k++) {
        v.append(k == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", random.nextGaussian() / 20));
      }
      Request knn = new Request("POST", "/" + index + "/_search");
      knn.setJsonEntity("{\"size\":10,\"_source\":false,\"query\":{\"knn\":{\"vector\":{\"vector\":" + v + "],\"k\":10}}}}");
      Request bm25 = new Request("POST", "/" + index + "/_search");
      bm25.setJsonEntity("{\"size\":10,\"_source\":false,\"query\":{\"multi_match\":{\"query\":\"" + words
          + "\",\"fields\":[\"title\",\"body\"]}}}");
      HttpRequest meili = HttpRequest.newBuilder(URI.create(engines.endpoints.meilisearchUrl() + "/indexes/" + index + "/search"))
          .header("Authorization", "Bearer " + engines.endpoints.meilisearchKey()).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"q\":\"" + words + "\",\"limit\":10,\"attributesToRetrieve\":[\"id\"]}"))
          .build();
      long t0 = System.nanoTime();
      engines.elasticsearch.performRequest(knn);
      long t1 = System.nanoTime();
      engines.elasticsearch.performRequest(bm25);
      long t2 = System.nanoTime();
      HTTP.send(meili, HttpResponse.BodyHandlers.ofString());
      long t3 = System.nanoTime();
      if (i >= 0) {
        times[0][i] = (t1 - t0) / 1e6;
        times[1][i] = (t2 - t1) / 1e6;
        times[2][i] = (t3 - t2) / 1e6;
      }
    }
    double[] p50 = new double[3];
    for (int q = 0; q < 3; q++) {
      Arrays.sort(times[q]);
      p50[q] = (times[q][19] + times[q][20]) / 2;
    }
    return p50;
  }

  private static long rssMb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) >> 10;
        }
      }
    } catch (Exception e) {
      return -1;
    }
    return -1;
  }

  private static int sampleMissing(Engines engines, String index, int count, int sample) throws Exception {
    Random random = new Random(11);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < sample; i++) {
      ids.add("s" + random.nextInt(count));
    }
    Request mget = new Request("POST", "/" + index + "/_mget");
    mget.setJsonEntity(JSON.writeValueAsString(java.util.Map.of("ids", ids)));
    mget.addParameter("_source", "false");
    JsonNode docs = JSON.readTree(engines.elasticsearch.performRequest(mget).getEntity().getContent()).get("docs");
    int missing = 0;
    for (JsonNode d : docs) {
      if (!d.path("found").asBoolean()) {
        missing++;
      }
    }
    var filter = HttpRequest.newBuilder(URI.create(engines.endpoints.meilisearchUrl() + "/indexes/" + index + "/documents/fetch"))
        .header("Authorization", "Bearer " + engines.endpoints.meilisearchKey()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"filter\":\"id IN " + JSON.writeValueAsString(ids)
            + "\",\"limit\":" + sample + ",\"fields\":[\"id\"]}")).build();
    var response = HTTP.send(filter, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() == 200) {
      missing += (int) (new java.util.HashSet<>(ids).size() - JSON.readTree(response.body()).get("results").size());
    } else {
      for (String id : new java.util.HashSet<>(ids)) {
        if (engines.meiliGet(index, id) == null) {
          missing++;
        }
      }
    }
    return missing;
  }
}
