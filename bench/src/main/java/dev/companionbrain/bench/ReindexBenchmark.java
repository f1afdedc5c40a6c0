package dev.companionbrain.bench;

import dev.companionbrain.cli.EmbeddedProduct;
import dev.companionbrain.cli.Reindex;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.relevance.CollectionQuery;
import dev.companionbrain.core.relevance.TestCollection;
import dev.companionbrain.core.relevance.TestCollections;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.jobs.indexing.IndexingJob;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.localstack.FlinkCluster;
import dev.companionbrain.localstack.FlinkRest;
import dev.companionbrain.localstack.LocalStack;
import dev.companionbrain.localstack.Ports;
import dev.companionbrain.query.SearchResponse;
import dev.companionbrain.testsupport.Engines;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./brain bench reindex} (issue #21): {@code ./brain reindex} on the real Flink cluster, measured.
 * The local engines and a Flink session cluster; the live IndexingJob (parallelism 2, as {@code ./brain
 * up} runs it) indexes a collection through Kafka, or {@code --vectors N} documents with supplied
 * vectors, and its rate is timed; a query service in a JVM of its own answers a paced loop of uncached
 * hybrid searches (the collection's queries) before the reindex and during it; then the reindex, its
 * replay's rate beside the live job's, and the switch's time as {@code ./brain reindex} measures it.
 */
@Command(name = "reindex", description = "A reindex on the real Flink cluster while searches go on (see BENCHMARKS.md).")
final class ReindexBenchmark implements Callable<Integer> {

  @Option(names = "--collection", required = true, description = "SMART or BEIR folder: its queries are the searches, "
      + "its documents the corpus unless --vectors is given (e.g. ../shared/data/cranfield)")
  Path collection;

  @Option(names = "--vectors", description = "a corpus of this many documents with supplied vectors instead (default: the collection's)")
  int vectors;

  @Option(names = "--embedding-model", description = "the new version's model (default: the catalogue's)")
  String embeddingModel;

  @Option(names = "--rate", description = "searches per second of the paced loop (default ${DEFAULT-VALUE})", defaultValue = "10")
  int rate;

  @Option(names = "--before-seconds", description = "how long the loop runs before the reindex (default ${DEFAULT-VALUE})",
      defaultValue = "20")
  int beforeSeconds;

  @Override
  public Integer call() throws Exception {
    TestCollection c = TestCollections.read(collection);
    List<String> queries = c.queries().stream().map(CollectionQuery::text).map(q -> q.length() > 200 ? q.substring(0, 200) : q)
        .toList();
    Path home = Files.createTempDirectory("brain-reindex-");
    Path jar = Path.of("jobs", "target", "companion-brain-jobs.jar");
    String homeBefore = System.getProperty("brain.home");
    System.setProperty("brain.home", home.toString());
    StringBuilder md = new StringBuilder();
    try (LocalStack stack = LocalStack.start(); Engines engines = new Engines(stack.endpoints())) {
      Endpoints e = stack.endpoints();
      String ns = "reindex-" + Long.toHexString(System.nanoTime());
      IndexingConfig live = EmbeddedProduct.indexing(e, ns + "-documents", ns + "-dlq", ns);
      live = IndexingJob.prepare(live);
      long documents;
      if (vectors > 0) {
        for (int i = 0; i < vectors; i++) {
          engines.produce(live.documentsTopic(), "v" + i, Engines.docWithVector("v" + i, queries.get(i % queries.size()), i % 384));
        }
        engines.flush();
        documents = vectors;
      } else {
        EmbeddedProduct.publish(c, live);
        documents = EmbeddedProduct.indexable(c);
      }
      try (FlinkCluster cluster = FlinkCluster.start(Path.of("flink-conf", "config.yaml"), 1,
          Map.of(Setting.MEILISEARCH_KEY.variable(), e.meilisearchKey()))) {
        FlinkRest rest = new FlinkRest(cluster.restUrl());
        String jarId = rest.uploadJar(jar);
        long began = System.nanoTime();
        String jobId = rest.run(jarId, IndexingJob.class.getName(), live.programArguments(), 2, null, false);
        System.out.println("indexing " + documents + " documents with the live job…");
        EmbeddedProduct.awaitIndexed(e, ns, documents, n -> { });
        double liveSeconds = (System.nanoTime() - began) / 1e9;
        Reindex.recordStack(cluster.restUrl(), e.meilisearchKey(), jobId, live, 2);

        int port = Ports.free();
        try (ServiceProcess service = ServiceProcess.start(EmbeddedProduct.queryEnvironment(e, ns, port,
            Map.of(Setting.API_KEYS.variable(), "off")), port, home)) {
          StackRun.settle();
          Searches before = searches("http://127.0.0.1:" + port, queries);
          Thread.sleep(beforeSeconds * 1000L); // the paced loop runs meanwhile: the latency before the reindex
          before.stop();
          Searches during = searches("http://127.0.0.1:" + port, queries);
          List<String> args = new ArrayList<>(List.of("--jar", jar.toString()));
          if (embeddingModel != null) {
            args.addAll(List.of("--embedding-model", embeddingModel));
          }
          int exit = new CommandLine(new Reindex()).execute(args.toArray(String[]::new));
          during.stop();
          if (exit != 0) {
            System.err.println("reindex failed (exit " + exit + ")");
            return exit;
          }
          Reindex.Figures figures = Reindex.Figures.last();
          double replaySeconds = figures.replaySeconds();
          double switchMs = figures.switchMs();
          md.append("# Reindex benchmark ").append(LocalDateTime.now().withNano(0)).append("\n\n");
          md.append(String.format(Locale.ROOT, "`./brain bench reindex --collection %s%s%s --rate %d --before-seconds %d`: "
              + "%d documents (%s), the live job at parallelism 2 and the replay at 1 on one TaskManager of a real Flink "
              + "cluster, the service in its own JVM answering uncached hybrid searches paced at %d/s; %d cores.%n%n",
              collection, vectors > 0 ? " --vectors " + vectors : "", embeddingModel == null ? "" : " --embedding-model " + embeddingModel,
              rate, beforeSeconds, documents, vectors > 0 ? "supplied vectors" : "embedded by the jobs", rate,
              Runtime.getRuntime().availableProcessors()));
          md.append("| figure | value |\n|---|---|\n");
          md.append(String.format(Locale.ROOT, "| live job: the corpus indexed | %.1f s, %.0f docs/s |%n", liveSeconds, documents / liveSeconds));
          md.append(String.format(Locale.ROOT, "| replay: submitted to caught up | %.1f s, %.0f docs/s |%n", replaySeconds,
              documents / replaySeconds));
          md.append(String.format(Locale.ROOT, "| switch: alias, generation | %.0f ms |%n", switchMs));
          md.append(String.format(Locale.ROOT, "| uncached hybrid before the reindex: p50 / p95 / p99 | %s |%n", before.figures()));
          md.append(String.format(Locale.ROOT, "| uncached hybrid during it: p50 / p95 / p99 | %s |%n", during.figures()));
          md.append(String.format(Locale.ROOT, "| answers during it by the one index version all their retrievers searched "
              + "(`index_version`) | %s |%n", during.versions));
        }
      }
    } finally {
      if (homeBefore == null) {
        System.clearProperty("brain.home");
      } else {
        System.setProperty("brain.home", homeBefore);
      }
      dev.companionbrain.localstack.Folders.delete(home);
    }
    ReportFormat.publish("reindex", md);
    return 0;
  }

  /** A paced loop of uncached hybrid searches on a thread of its own, timed with HdrHistogram. */
  private Searches searches(String base, List<String> queries) {
    Searches s = new Searches();
    HttpClient http = HttpClient.newHttpClient();
    s.thread = new Thread(() -> {
      long period = 1_000_000_000L / rate;
      long next = System.nanoTime();
      for (int i = 0; s.running.get(); i++) {
        try {
          long wait = next - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
          next += period;
          long began = System.nanoTime();
          HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + "/search?mode=hybrid&explain=true&q="
              + URLEncoder.encode(queries.get(i % queries.size()), StandardCharsets.UTF_8)))
              .header("Cache-Control", "no-cache").build(), HttpResponse.BodyHandlers.ofString());
          if (answer.statusCode() == 200) {
            s.latency.recordValue((System.nanoTime() - began) / 1000);
            s.versions.merge("version " + SearchResponse.fromJson(answer.body()).indexVersion(), 1L, Long::sum);
          } else {
            s.failed.incrementAndGet();
          }
        } catch (InterruptedException stop) {
          return;
        } catch (Exception failed) {
          s.failed.incrementAndGet();
        }
      }
    }, "paced-searches");
    s.thread.start();
    return s;
  }

  private static final class Searches {
    final Histogram latency = new Histogram(3);
    final AtomicLong failed = new AtomicLong();
    final Map<String, Long> versions = new java.util.concurrent.ConcurrentSkipListMap<>();
    final AtomicBoolean running = new AtomicBoolean(true);
    Thread thread;

    void stop() throws InterruptedException {
      running.set(false);
      thread.join();
    }

    String figures() {
      return String.format(Locale.ROOT, "%.1f / %.1f / %.1f ms (%d searches, %d failed)", latency.getValueAtPercentile(50) / 1000.0,
          latency.getValueAtPercentile(95) / 1000.0, latency.getValueAtPercentile(99) / 1000.0, latency.getTotalCount(), failed.get());
    }
  }
}
