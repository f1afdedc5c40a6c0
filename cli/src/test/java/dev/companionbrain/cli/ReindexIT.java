package dev.companionbrain.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.embed.EmbeddingModel;
import dev.companionbrain.core.index.IndexCreator;
import dev.companionbrain.core.index.IndexVersions;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.jobs.indexing.IndexingJob;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.localstack.FlinkCluster;
import dev.companionbrain.localstack.FlinkRest;
import dev.companionbrain.localstack.LocalStackExtension;
import dev.companionbrain.localstack.Ports;
import dev.companionbrain.query.QueryService;
import dev.companionbrain.query.SearchResponse;
import dev.companionbrain.testsupport.Engines;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./brain reindex} on a real Flink cluster (issue #21), once: the live job embeds with MiniLM,
 * the reindex replays the compacted topic into version 2 with bge while a paced search loop runs and
 * documents, updates and deletes keep arriving; then the rollback, the drop of the old version, and a
 * lost Meilisearch index rebuilt by another reindex.
 */
@ExtendWith(LocalStackExtension.class)
class ReindexIT {
  private static final Path JAR = Path.of("..", "jobs", "target", "companion-brain-jobs.jar");

  @Test
  void aReindexToAnotherModelWhileDocumentsArriveLosesNothingFailsNoSearchAndRollsBack(Endpoints e, @TempDir Path home)
      throws Exception {
    assertThat(JAR).as("the shaded job jar (the jobs module's package builds it)").exists();
    String before = System.getProperty("brain.home");
    System.setProperty("brain.home", home.toString());
    try (Engines engines = new Engines(e);
        FlinkCluster cluster = FlinkCluster.start(Path.of("..", "flink-conf", "config.yaml"), 1,
            Map.of(Setting.MEILISEARCH_KEY.variable(), e.meilisearchKey()))) {
      IndexingConfig live = IndexingConfig.inNamespace(Engines.freshNamespace(), e.kafkaBootstrapServers(),
          engines.addresses(), 500).withEmbeddingModel(EmbeddingModel.MINILM);
      String index = live.index();
      String topic = live.documentsTopic();
      IndexingJob.prepare(live); // the compacted topic and version 1 behind the alias
      Map<String, String> expected = new ConcurrentHashMap<>(); // id -> last title
      for (int i = 0; i < 80; i++) {
        engines.produce(topic, "d" + i, Engines.doc("d" + i, "first d" + i, "a document about flow number " + i));
        expected.put("d" + i, "first d" + i);
      }
      for (int i = 0; i < 10; i++) { // deletes older than the replay
        engines.produce(topic, "d" + i, "{\"op\":\"delete\",\"id\":\"d" + i + "\"}");
        expected.remove("d" + i);
      }
      for (int i = 10; i < 20; i++) {
        engines.produce(topic, "d" + i, Engines.doc("d" + i, "second d" + i, "updated before the replay " + i));
        expected.put("d" + i, "second d" + i);
      }
      engines.flush();
      FlinkRest rest = new FlinkRest(cluster.restUrl());
      String jobId = rest.run(rest.uploadJar(JAR), IndexingJob.class.getName(), live.programArguments(), 1, null, false);
      Reindex.recordStack(cluster.restUrl(), e.meilisearchKey(), jobId, live, 1);
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() ->
          engines.esIds(index).equals(expected.keySet()) && engines.meiliCount(index) == expected.size());
      assertThat(IndexVersions.served(engines.elasticsearch, index)).contains(index + "_v1");

      int port = Ports.free();
      try (QueryService service = QueryService.start(EmbeddedProduct.query(e, index, port, Map.of(
          Setting.API_KEYS.variable(), "off", Setting.EMBEDDING_MODEL.variable(), EmbeddingModel.MINILM.wireName())))) {
        AtomicBoolean searching = new AtomicBoolean(true);
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        // the version each computed (no-cache) answer reports it searched, in the order they were answered
        List<Integer> computedVersions = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Map<Integer, AtomicInteger> versions = new ConcurrentHashMap<>(); // every answer's
        HttpClient http = HttpClient.newHttpClient();
        Thread searcher = new Thread(() -> {
          for (int i = 0; searching.get(); i++) {
            try {
              HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                  + "/search?mode=hybrid&explain=true&q=" + URLEncoder.encode("flow number " + (i % 40), StandardCharsets.UTF_8)))
                  .header("Cache-Control", i % 2 == 0 ? "no-cache" : "max-age=60").build(), HttpResponse.BodyHandlers.ofString());
              statuses.computeIfAbsent(answer.statusCode(), k -> new AtomicInteger()).incrementAndGet();
              if (answer.statusCode() == 200) {
                int version = SearchResponse.fromJson(answer.body()).indexVersion();
                versions.computeIfAbsent(version, k -> new AtomicInteger()).incrementAndGet();
                if (i % 2 == 0) {
                  computedVersions.add(version);
                }
              }
              Thread.sleep(20); // a paced mix: about 30 searches a second
            } catch (InterruptedException stop) {
              return;
            } catch (Exception failed) {
              statuses.computeIfAbsent(-1, k -> new AtomicInteger()).incrementAndGet();
            }
          }
        }, "searches");
        // new documents, updates and deletes while the replay runs
        Thread producer = new Thread(() -> {
          try {
            for (int i = 0; i < 30; i++) {
              engines.produce(topic, "n" + i, Engines.doc("n" + i, "new n" + i, "arrived during the replay " + i));
              expected.put("n" + i, "new n" + i);
              if (i < 10) {
                engines.produce(topic, "d" + (20 + i), Engines.doc("d" + (20 + i), "third d" + (20 + i), "updated during it"));
                expected.put("d" + (20 + i), "third d" + (20 + i));
                engines.produce(topic, "d" + (30 + i), "{\"op\":\"delete\",\"id\":\"d" + (30 + i) + "\"}");
                expected.remove("d" + (30 + i));
              }
              engines.flush();
              Thread.sleep(200); // paced over the first seconds of the replay
            }
          } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
          }
        }, "producer");
        searcher.start();
        producer.start();
        int reindexed = new CommandLine(new Reindex()).execute("--embedding-model", EmbeddingModel.BGE_SMALL.wireName(),
            "--jar", JAR.toString());
        producer.join();
        assertThat(reindexed).isZero();
        assertThat(IndexVersions.served(engines.elasticsearch, index)).contains(index + "_v2");
        // 0 answers mixing versions: each answer names the one version all its retrievers searched, and
        // the computed ones go from version 1 to version 2 once, never back
        await().atMost(Duration.ofSeconds(30)).until(() -> computedVersions.contains(2));
        synchronized (computedVersions) {
          int first2 = computedVersions.indexOf(2);
          assertThat(first2).as("answers from version 1 before the switch: %s", computedVersions).isPositive();
          assertThat(computedVersions.subList(0, first2)).as("before the switch").containsOnly(1);
          assertThat(computedVersions.subList(first2, computedVersions.size())).as("after it").containsOnly(2);
        }
        assertThat(IndexCreator.recordedModel(engines.elasticsearch, index)).contains(EmbeddingModel.BGE_SMALL);
        // every live document in the new version once, none of the deleted, each in its last version; the
        // same in Meilisearch, whose served name now holds the new version
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          assertThat(engines.esIds(index + "_v2")).isEqualTo(expected.keySet());
          assertThat(new HashSet<>(engines.meiliIds(index + "_v2"))).isEqualTo(expected.keySet());
        });
        assertThat(engines.esCount(index + "_v2")).isEqualTo(expected.size());
        for (String id : List.of("d10", "d25", "n29")) {
          assertThat(engines.esGet(index + "_v2", id).at("/_source/title").asText()).isEqualTo(expected.get(id));
          assertThat(engines.meiliGet(index + "_v2", id).get("title").asText()).isEqualTo(expected.get(id));
        }
        // the new version's job serves on: a document after the switch reaches it
        engines.produce(topic, "after", Engines.doc("after", "Kelvin-Helmholtz instability of a vortex sheet",
            "the rolling up of a shear layer between two streams"));
        engines.flush();
        await().atMost(Duration.ofMinutes(1)).until(() -> engines.esGet(index + "_v2", "after") != null
            && engines.meiliGet(index + "_v2", "after") != null);
        expected.put("after", "Kelvin-Helmholtz instability of a vortex sheet");
        HttpResponse<String> vector = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/search?mode=vector&k=1&q=vortex+sheet+instability")).header("Cache-Control", "no-cache").build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(vector.statusCode()).isEqualTo(200);
        assertThat(vector.body()).as("queries embedded with the new version's model find it first")
            .contains("\"hits\":[{\"id\":\"after\"");

        // the rollback: version 1 again, its job catching up from its savepoint
        assertThat(new CommandLine(new Reindex()).execute("--rollback", "--jar", JAR.toString())).isZero();
        assertThat(IndexVersions.served(engines.elasticsearch, index)).contains(index + "_v1");
        assertThat(IndexCreator.recordedModel(engines.elasticsearch, index)).contains(EmbeddingModel.MINILM);
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          assertThat(engines.esIds(index)).isEqualTo(expected.keySet());
          assertThat(new HashSet<>(engines.meiliIds(index))).isEqualTo(expected.keySet());
        });
        int rolledBackAt = computedVersions.size();
        await().atMost(Duration.ofSeconds(30)).until(() -> computedVersions.size() > rolledBackAt + 2
            && computedVersions.get(computedVersions.size() - 1) == 1);
        JsonNode d25 = engines.esGet(index, "d25");
        assertThat(d25.at("/_index").asText()).isEqualTo(index + "_v1");
        assertThat(d25.at("/_source/title").asText()).isEqualTo("third d25");

        // the old version (2, rolled back from) dropped
        assertThat(new CommandLine(new Reindex()).execute("--drop-old")).isZero();
        assertThat(IndexVersions.versions(engines.elasticsearch, index)).containsExactly(1);
        assertThat(new CommandLine(new Reindex()).execute("--rollback")).as("nothing kept to roll back to").isEqualTo(1);

        // a lost Meilisearch index rebuilt by the same mechanism: a reindex with the same model, while the
        // searches go on against what is left (BM25 and kNN)
        engines.meilisearch.waitForTask(engines.meilisearch.deleteIndex(index).getTaskUid());
        assertThat(new CommandLine(new Reindex()).execute("--embedding-model", EmbeddingModel.MINILM.wireName(),
            "--jar", JAR.toString())).isZero();
        assertThat(IndexVersions.served(engines.elasticsearch, index)).as("the dropped version's number is free again")
            .contains(index + "_v2");
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
            assertThat(new HashSet<>(engines.meiliIds(index + "_v2"))).as("nothing lost").isEqualTo(expected.keySet()));
        assertThat(engines.esIds(index)).isEqualTo(expected.keySet());
        HttpResponse<String> text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/search?mode=text&q=arrived+during+the+replay")).header("Cache-Control", "no-cache").build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.body()).as("Meilisearch answers again").contains("arrived during the replay");

        searching.set(false);
        searcher.join();
        assertThat(statuses.keySet()).as("every search answered 200: %s", statuses).containsOnly(200);
        assertThat(versions.keySet()).as("every answer knew its one version: %s", versions).containsOnly(1, 2);
        System.out.println("ReindexIT: answers by the index version they searched: " + versions + "; statuses " + statuses);
        assertThat(statuses.get(200).get()).isGreaterThan(50);
      }
    } finally {
      if (before == null) {
        System.clearProperty("brain.home");
      } else {
        System.setProperty("brain.home", before);
      }
    }
  }
}
