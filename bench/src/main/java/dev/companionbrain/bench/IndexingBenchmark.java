package dev.companionbrain.bench;

import dev.companionbrain.core.embed.Embedder;
import dev.companionbrain.core.embed.EmbeddingModel;
import dev.companionbrain.core.relevance.CollectionDocument;
import dev.companionbrain.core.relevance.TestCollections;
import dev.companionbrain.jobs.indexing.IndexAction;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.jobs.indexing.IndexingJob;
import dev.companionbrain.localstack.LocalStack;
import dev.companionbrain.localstack.Ports;
import dev.companionbrain.testsupport.Engines;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * End-to-end indexing throughput and freshness on the real local stack, in one run:
 * <ol>
 *   <li>the embedder's raw rate (batches of 32, same texts as the pipeline run), each model of
 *       {@code --models} (the catalogue's first, then the other);
 *   <li>the pipeline's rate with embedding, each model: documents produced to Kafka at once, timed until
 *       every one is stored in both Elasticsearch (OpenSearch) and Meilisearch;
 *   <li>the pipeline's rate with producer-supplied vectors (no embedding);
 *   <li>freshness (Kafka record time → Meilisearch acknowledgement) p50/p95 for a steady trickle,
 *       read from the job's Prometheus reporter.
 * </ol>
 * Run: {@code ./brain bench indexing [--collection ../shared/data/cranfield] [--vectors 20000] [--models bge-small-en-v1.5,all-minilm-l6-v2]
 *     [--only raw,embedding,vectors,cluster,engines,meili-trickle,freshness]} ({@code cluster}: the
 *     supplied-vector pipeline again on a real Flink cluster, beside the MiniCluster figure; it needs
 *     {@code vectors}); the scale run ({@link ScaleRun}):
 *     {@code ./brain bench indexing --only scale,engines [--scale 200000]}, and with embedding:
 *     {@code --only scale-embedding [--scale-embedding 3000]}.
 */
@Command(name = "indexing", description = "Indexing throughput and freshness through the IndexingJob on real engines "
    + "(see BENCHMARKS.md).")
final class IndexingBenchmark implements Callable<Integer> {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  @Option(names = "--collection", description = "SMART or BEIR folder (e.g. ../shared/data/cranfield); default: a "
      + "synthetic corpus of 1,400 documents")
  Path collection;

  @Option(names = "--vectors", description = "documents of the supplied-vector phases (default ${DEFAULT-VALUE})")
  int vectorDocs = 20_000;

  @Option(names = "--scale", description = "documents of the scale phase (default ${DEFAULT-VALUE})")
  int scaleDocs = 200_000;

  @Option(names = "--scale-embedding", description = "documents of the scale phase with embedding (default ${DEFAULT-VALUE})")
  int scaleEmbeddingDocs = 3_000;

  @Option(names = "--trickle-rate", description = "documents per second of the freshness phase (default ${DEFAULT-VALUE})")
  int trickleRate = 20;

  @Option(names = "--only", split = ",", description = "the phases to run, of raw, embedding, vectors, cluster, engines, "
      + "meili-trickle, freshness, scale, scale-embedding (default: all but the two scale phases)")
  Set<String> phases = Set.of("raw", "embedding", "vectors", "cluster", "engines", "meili-trickle", "freshness");

  @Option(names = "--models", split = ",", description = "the embedding models of the raw and embedding phases, each "
      + "measured in this run (default: the catalogue's model, BRAIN_EMBEDDING_MODEL, then the other one)")
  List<String> models = List.of();

  /** {@code --models} parsed, or the catalogue's model first and then every other. */
  private List<EmbeddingModel> models() {
    if (!models.isEmpty()) {
      return models.stream().map(EmbeddingModel::fromWire).toList();
    }
    EmbeddingModel shipped = dev.companionbrain.cli.EmbeddedProduct.model();
    List<EmbeddingModel> all = new ArrayList<>(List.of(shipped));
    for (EmbeddingModel m : EmbeddingModel.values()) {
      if (m != shipped) {
        all.add(m);
      }
    }
    return all;
  }

  @Override
  public Integer call() throws Exception {
    int trickleSeconds = 20;
    List<String[]> texts = corpus(collection);
    StringBuilder report = new StringBuilder();
    report.append("# Indexing benchmark ").append(LocalDateTime.now().withNano(0)).append("\n\n");
    report.append("machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, corpus: ")
        .append(collection == null ? "synthetic" : collection).append(" (").append(texts.size()).append(" documents)\n\n");

    // 1. raw embedder, each model
    List<EmbeddingModel> measured = models();
    Map<EmbeddingModel, Double> rawRates = new LinkedHashMap<>();
    if (phases.contains("raw")) {
      for (EmbeddingModel model : measured) {
        Embedder embedder = Embedder.of(model);
        embedder.embedAll(List.of("warm up the model", "and its threads"));
        long began = System.nanoTime();
        for (int from = 0; from < texts.size(); from += 32) {
          List<String> batch = new ArrayList<>();
          for (String[] t : texts.subList(from, Math.min(texts.size(), from + 32))) {
            batch.add(t[1] + ". " + t[2]);
          }
          embedder.embedAll(batch);
        }
        rawRates.put(model, texts.size() / ((System.nanoTime() - began) / 1e9));
        System.out.printf("embedder raw (%s): %.1f docs/s%n", model.wireName(), rawRates.get(model));
      }
    }

    try (LocalStack stack = LocalStack.start(); Engines engines = new Engines(stack.endpoints())) {
      report.append("| figure | value | target |\n|---|---|---|\n");
      rawRates.forEach((model, rate) -> report.append(String.format(Locale.ROOT,
          "| embedder raw (%s, batches of 32) | %.1f docs/s | |%n", model.wireName(), rate)));
      // 2. pipeline with embedding, each model
      if (phases.contains("embedding")) {
        for (EmbeddingModel model : measured) {
          double embedRate = pipelineRate(engines, texts.size(), "e", (topic, i) ->
              Engines.doc("e" + i, texts.get(i)[1], texts.get(i)[2]), "with embedding (" + model.wireName() + ")", model);
          report.append(String.format(Locale.ROOT, "| pipeline with embedding (%s) | %.1f docs/s (%.0f %% of raw) | >= 90 %% of raw |%n",
              model.wireName(), embedRate, 100 * embedRate / rawRates.getOrDefault(model, Double.NaN)));
        }
      }
      // 3. pipeline with supplied vectors
      if (phases.contains("vectors")) {
        Random random = new Random(42);
        List<String> vectorDocsJson = new ArrayList<>(vectorDocs);
        for (int i = 0; i < vectorDocs; i++) {
          vectorDocsJson.add(docWithRandomVector("v" + i, texts.get(i % texts.size()), random));
        }
        double vectorRate = pipelineRate(engines, vectorDocs, "v", (topic, i) -> vectorDocsJson.get(i), "with supplied vectors");
        report.append(String.format(Locale.ROOT, "| pipeline with supplied vectors | %.0f docs/s | >= 3,000 docs/s |%n", vectorRate));
        if (phases.contains("cluster")) {
          double clusterRate = clusterPipelineRate(engines, vectorDocs, (topic, i) -> vectorDocsJson.get(i));
          report.append(String.format(Locale.ROOT,
              "| the same on the real Flink cluster (shaded jar over REST, 1 TaskManager, parallelism 2) | %.0f docs/s (%.2f of the MiniCluster) | |%n",
              clusterRate, clusterRate / vectorRate));
        }
      }
      // 3b. each engine alone, the same documents sent straight to it: the ceiling the pipeline works under
      if (phases.contains("engines")) {
        double[] ceilings = engineCeilings(engines, vectorDocs, texts);
        report.append(String.format(Locale.ROOT, "| OpenSearch alone: _bulk of 100 with vectors, 2 in flight | %.0f docs/s | |%n", ceilings[0]));
        report.append(String.format(Locale.ROOT, "| Meilisearch alone: add-documents of 100, all enqueued | %.0f docs/s | |%n", ceilings[1]));
      }
      // 3c. Meilisearch alone under the writer's trickle pattern: how long its tasks take, enqueue to done
      if (phases.contains("meili-trickle")) {
        double[] tasks = meilisearchTrickle(engines, texts);
        report.append(String.format(Locale.ROOT, "| Meilisearch alone: tasks of 5 docs every 250 ms, enqueued to done p50 / p95 | %.0f ms / %.0f ms | |%n",
            tasks[0], tasks[1]));
      }
      // 5. scale: one long run with supplied vectors (not among the default phases: --only scale)
      if (phases.contains("scale")) {
        report.append(ScaleRun.run(stack, engines, scaleDocs, texts));
      }
      // 5b. the smaller scale run with embedding (--only scale-embedding [--scale-embedding 3000])
      if (phases.contains("scale-embedding")) {
        report.append(ScaleRun.run(stack, engines, scaleEmbeddingDocs, texts, true));
      }
      // 4. freshness under a trickle
      if (phases.contains("freshness")) {
        double[] freshness = freshness(engines, texts, trickleRate, trickleSeconds);
        report.append(String.format(Locale.ROOT, "| freshness p50 / p95 (%d docs/s trickle, with embedding) | %.0f ms / %.0f ms | p95 <= 2,000 ms |%n",
            trickleRate, freshness[0], freshness[1]));
      }
    }
    System.out.println();
    ReportFormat.publish("indexing", report);
    return 0;
  }

  private interface DocumentSource {
    String json(String topic, int i);
  }

  private static double pipelineRate(Engines engines, int count, String idPrefix, DocumentSource docs, String label) throws Exception {
    return pipelineRate(engines, count, idPrefix, docs, label, EmbeddingModel.catalogueDefault());
  }

  /** The same, the job embedding with {@code model}. */
  private static double pipelineRate(Engines engines, int count, String idPrefix, DocumentSource docs, String label,
      EmbeddingModel model) throws Exception {
    IndexingConfig config = IndexingConfig.inNamespace(Engines.freshNamespace(),
        engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 2000).withEmbeddingModel(model);
    IndexingJob.prepare(config);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, new Configuration());
    JobClient job = IndexingJob.start(env, config);
    try {
      return timedIngest(engines, config, count, idPrefix, docs, label);
    } finally {
      job.cancel().get();
    }
  }

  /**
   * Times {@code count} documents through the running job, from the first produced to both engines
   * holding them all; a first document proves the job is consuming before the clock starts.
   */
  private static double timedIngest(Engines engines, IndexingConfig config, int count, String idPrefix, DocumentSource docs,
      String label) throws Exception {
    engines.produce(config.documentsTopic(), "probe", Engines.doc("probe", "probe", "probe document"));
    engines.flush();
    waitFor(engines, config.index(), 1, 120);
    long began = System.nanoTime();
    for (int i = 0; i < count; i++) {
      engines.produce(config.documentsTopic(), idPrefix + i, docs.json(config.documentsTopic(), i));
    }
    engines.flush();
    waitFor(engines, config.index(), count + 1, 600);
    double seconds = (System.nanoTime() - began) / 1e9;
    double rate = count / seconds;
    System.out.printf("pipeline %s: %d docs in %.1f s = %.1f docs/s%n", label, count, seconds, rate);
    return rate;
  }

  /**
   * {@link #pipelineRate} on a real Flink session cluster (a JobManager and a TaskManager in child
   * JVMs, flink-conf/config.yaml) running the shaded job jar, as {@code ./brain up} runs it.
   */
  private static double clusterPipelineRate(Engines engines, int count, DocumentSource docs) throws Exception {
    Path jar = Path.of("jobs", "target", "companion-brain-jobs.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: mvn install -DskipTests builds it");
    }
    IndexingConfig config = IndexingConfig.inNamespace(Engines.freshNamespace(),
        engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 2000);
    try (dev.companionbrain.localstack.FlinkCluster cluster = dev.companionbrain.localstack.FlinkCluster.start(
        Path.of("flink-conf", "config.yaml"), 1, java.util.Map.of("BRAIN_MEILISEARCH_KEY", engines.endpoints.meilisearchKey()))) {
      var rest = new dev.companionbrain.localstack.FlinkRest(cluster.restUrl());
      String job = rest.run(rest.uploadJar(jar), IndexingJob.class.getName(), config.programArguments(), 2, null, false);
      rest.awaitState(job, "RUNNING", java.time.Duration.ofSeconds(60));
      double rate = timedIngest(engines, config, count, "v", docs, "with supplied vectors on the real cluster");
      rest.cancel(job);
      return rate;
    }
  }

  /**
   * The supplied-vector documents sent to each engine alone, nothing else running: OpenSearch by
   * _bulk requests of 100 (two in flight, as the job's two sink subtasks), Meilisearch by add-documents
   * tasks of 100, all enqueued at once as the job's writer does, timed until the index holds them all.
   */
  private static double[] engineCeilings(Engines engines, int count, List<String[]> texts) throws Exception {
    IndexingConfig config = IndexingConfig.inNamespace(Engines.freshNamespace(),
        engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 2000);
    IndexingJob.prepare(config);
    Random random = new Random(42);
    List<String> sources = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      sources.add(new String(action("c" + i, texts.get(i % texts.size()), random).fieldsJson(true), StandardCharsets.UTF_8));
    }
    long began = System.nanoTime();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    List<java.util.concurrent.Future<?>> bulks = new ArrayList<>();
    for (int from = 0; from < count; from += 100) {
      int start = from;
      bulks.add(pool.submit(() -> {
        StringBuilder body = new StringBuilder();
        for (int i = start; i < Math.min(count, start + 100); i++) {
          body.append("{\"index\":{\"_id\":\"c").append(i).append("\"}}\n").append(sources.get(i)).append('\n');
        }
        org.elasticsearch.client.Request bulk = new org.elasticsearch.client.Request("POST", "/" + config.index() + "/_bulk");
        bulk.addParameter("filter_path", "errors");
        bulk.setJsonEntity(body.toString());
        String answer = new String(engines.elasticsearch.performRequest(bulk).getEntity().getContent().readAllBytes());
        if (answer.contains("true")) {
          throw new IllegalStateException("bulk errors: " + answer);
        }
        return null;
      }));
    }
    for (var bulk : bulks) {
      bulk.get();
    }
    pool.shutdown();
    while (engines.esSearchableCount(config.index()) < count) {
      Thread.sleep(100); // polling the count
    }
    double openSearch = count / ((System.nanoTime() - began) / 1e9);
    System.out.printf("OpenSearch alone: %.0f docs/s%n", openSearch);

    HttpClient http = HttpClient.newHttpClient();
    began = System.nanoTime();
    for (int from = 0; from < count; from += 100) {
      String body = documentsArray(from, Math.min(count, from + 100), i -> action("c" + i, texts.get(i % texts.size()), null));
      HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(engines.endpoints.meilisearchUrl()
              + "/indexes/" + config.index() + "/documents"))
          .header("Authorization", "Bearer " + engines.endpoints.meilisearchKey())
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() != 202) {
        throw new IllegalStateException("Meilisearch answered " + answer.statusCode() + ": " + answer.body());
      }
    }
    while (engines.meiliCount(config.index()) < count) {
      Thread.sleep(100); // polling the count
    }
    double meilisearch = count / ((System.nanoTime() - began) / 1e9);
    System.out.printf("Meilisearch alone: %.0f docs/s%n", meilisearch);
    return new double[] {openSearch, meilisearch};
  }

  /**
   * 20 docs/s sent to Meilisearch alone as the job's writers send a trickle (a task every 250 ms),
   * for 20 s; each task's time from enqueued to finished as Meilisearch itself reports it.
   */
  private static double[] meilisearchTrickle(Engines engines, List<String[]> texts) throws Exception {
    IndexingConfig config = IndexingConfig.inNamespace(Engines.freshNamespace(),
        engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 2000);
    IndexingJob.prepare(config);
    HttpClient http = HttpClient.newHttpClient();
    String base = engines.endpoints.meilisearchUrl();
    String auth = "Bearer " + engines.endpoints.meilisearchKey();
    List<Integer> uids = new ArrayList<>();
    long began = System.nanoTime();
    for (int task = 0; task < 80; task++) {
      long wait = began + task * 250_000_000L - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000); // pacing the trickle
      }
      String body = documentsArray(task * 5, task * 5 + 5, i -> action("m" + i, texts.get(i % texts.size()), null));
      HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + "/indexes/" + config.index() + "/documents"))
          .header("Authorization", auth).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      uids.add(JSON.readTree(answer.body()).get("taskUid").asInt());
    }
    org.HdrHistogram.Histogram millis = new org.HdrHistogram.Histogram(3);
    for (int uid : uids) {
      while (true) {
        var task = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/tasks/" + uid)).header("Authorization", auth).build(),
            HttpResponse.BodyHandlers.ofString()).body());
        if (task.path("finishedAt").isTextual()) {
          millis.recordValue(java.time.Duration.between(java.time.Instant.parse(task.get("enqueuedAt").asText()),
              java.time.Instant.parse(task.get("finishedAt").asText())).toMillis());
          break;
        }
        Thread.sleep(50); // polling the task
      }
    }
    double p50 = millis.getValueAtPercentile(50);
    double p95 = millis.getValueAtPercentile(95);
    System.out.printf("Meilisearch alone, tasks of 5 every 250 ms: p50 %.0f ms, p95 %.0f ms, max %d ms%n", p50, p95, millis.getMaxValue());
    return new double[] {p50, p95};
  }

  private static String clean(String text) {
    return text.replace("\\", " ").replace("\"", " ");
  }

  /** A document as the job would hold it: no tags, url or date; a random vector when {@code vectors} is given. */
  private static IndexAction action(String id, String[] text, Random vectors) {
    IndexAction a = new IndexAction();
    a.id = id;
    a.title = text[1];
    a.body = text[2];
    a.tags = new String[0];
    if (vectors != null) {
      a.vector = new float[384];
      for (int i = 0; i < a.vector.length; i++) {
        a.vector[i] = (float) (vectors.nextGaussian() / 20);
      }
    }
    return a;
  }

  /** Documents {@code from} (inclusive) to {@code to} as the JSON array the job's Meilisearch writer sends. */
  private static String documentsArray(int from, int to, java.util.function.IntFunction<IndexAction> action) {
    StringBuilder array = new StringBuilder("[");
    for (int i = from; i < to; i++) {
      array.append(i == from ? "" : ",").append(new String(action.apply(i).fieldsJson(false), StandardCharsets.UTF_8));
    }
    return array.append(']').toString();
  }

  private static void waitFor(Engines engines, String index, long count, int maxSeconds) throws Exception {
    long deadline = System.currentTimeMillis() + maxSeconds * 1000L;
    while (System.currentTimeMillis() < deadline) {
      if (engines.esSearchableCount(index) >= count && engines.meiliCount(index) >= count) {
        return;
      }
      Thread.sleep(100); // polling both engines' counts
    }
    throw new IllegalStateException("not all " + count + " documents indexed within " + maxSeconds + " s");
  }

  private static double[] freshness(Engines engines, List<String[]> texts, int rate, int seconds) throws Exception {
    IndexingConfig config = IndexingConfig.inNamespace(Engines.freshNamespace(),
        engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 2000);
    int promPort = Ports.free();
    Configuration conf = new Configuration();
    conf.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    conf.setString("metrics.reporter.prom.port", Integer.toString(promPort));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
    JobClient job = IndexingJob.start(env, config);
    try {
      engines.produce(config.documentsTopic(), "probe", Engines.doc("probe", "probe", "probe document"));
      engines.flush();
      waitFor(engines, config.index(), 1, 120);
      int total = rate * seconds;
      long began = System.nanoTime();
      for (int i = 0; i < total; i++) {
        long due = began + (long) (i * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // pacing the trickle
        }
        String[] t = texts.get(i % texts.size());
        engines.produce(config.documentsTopic(), "f" + i, Engines.doc("f" + i, t[1], t[2]));
        engines.flush();
      }
      waitFor(engines, config.index(), total + 1, 300);
      String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + promPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      double p50 = quantile(metrics, "0.5");
      double p95 = quantile(metrics, "0.95");
      System.out.printf("freshness at %d docs/s: p50 %.0f ms, p95 %.0f ms%n", rate, p50, p95);
      return new double[] {p50, p95};
    } finally {
      job.cancel().get();
    }
  }

  /** The largest of the subtasks' quantile of the freshness histogram in the Prometheus text. */
  static double quantile(String metrics, String q) {
    return metrics.lines()
        .filter(l -> l.contains("freshness_ms") && l.contains("quantile=\"" + q + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .filter(v -> !Double.isNaN(v))
        .max().orElse(Double.NaN);
  }

  private static String docWithRandomVector(String id, String[] text, Random random) {
    StringBuilder v = new StringBuilder("[");
    for (int i = 0; i < 384; i++) {
      v.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", random.nextGaussian() / 20));
    }
    return "{\"op\":\"upsert\",\"id\":\"" + id + "\",\"title\":\"" + clean(text[1]) + "\",\"body\":\"" + clean(text[2])
        + "\",\"vector\":" + v + "]}";
  }

  private static List<String[]> corpus(Path collection) {
    List<String[]> texts = new ArrayList<>();
    if (collection != null) {
      for (CollectionDocument d : TestCollections.read(collection).documents()) {
        if (!d.title().isBlank() || !d.body().isBlank()) {
          texts.add(new String[] {d.id(), d.title(), d.body()});
        }
      }
      return texts;
    }
    Random random = new Random(7);
    String[] words = ("flow boundary layer shock wave pressure heat transfer wing body supersonic laminar turbulent "
        + "plate cylinder buckling shell load stress vibration flutter panel nozzle jet mach number drag lift").split(" ");
    for (int i = 0; i < 1400; i++) {
      StringBuilder body = new StringBuilder();
      for (int w = 0; w < 60; w++) {
        body.append(words[random.nextInt(words.length)]).append(' ');
      }
      texts.add(new String[] {"s" + i, "synthetic document " + i, body.toString().trim()});
    }
    return texts;
  }
}
