package dev.companionbrain.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.companionbrain.core.cache.RedisKeys;
import dev.companionbrain.testsupport.Engines;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.jobs.indexing.IndexingJob;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.localstack.FlinkCluster;
import dev.companionbrain.localstack.FlinkRest;
import dev.companionbrain.localstack.LocalStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shaded job jar ({@code target/companion-brain-jobs.jar}) on a real Flink 1.20.3 session cluster
 * (JobManager and TaskManager processes configured by {@code flink-conf/config.yaml}), submitted over
 * the REST API, against the real engines of the local stack. One cluster for the class; the test that
 * kills the TaskManager runs last.
 */
@ExtendWith(LocalStackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealClusterIT {
  private static final String INDEXING = IndexingJob.class.getName();
  private static final Path JAR = Path.of("target", "companion-brain-jobs.jar");
  private static Engines engines;
  private static FlinkCluster cluster;
  private static FlinkRest rest;
  private static String jarId;

  @BeforeAll
  static void start(Endpoints endpoints) {
    assertThat(JAR).as("the shaded job jar (mvn package builds it)").exists();
    engines = new Engines(endpoints);
    // the job's main() runs in the JobManager: the secret comes from its environment, not the arguments
    cluster = FlinkCluster.start(Path.of("..", "flink-conf", "config.yaml"), 1,
        Map.of("BRAIN_MEILISEARCH_KEY", endpoints.meilisearchKey()));
    rest = new FlinkRest(cluster.restUrl());
    jarId = rest.uploadJar(JAR);
  }

  @AfterAll
  static void stop() throws Exception {
    List<Long> pids = cluster == null ? List.of() : cluster.pids();
    if (cluster != null) {
      cluster.close();
    }
    if (engines != null) {
      engines.close();
    }
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("process %d outlived the cluster", pid)
          .isFalse();
    }
  }

  private static String run(IndexingConfig config, String savepoint) {
    String job = rest.run(jarId, INDEXING, config.programArguments(), 1, savepoint, false);
    rest.awaitState(job, "RUNNING", Duration.ofSeconds(60));
    return job;
  }

  @Test
  @Order(1)
  void aBadSettingFailsAtSubmissionWithOneLineNamingIt() {
    assertThatThrownBy(() -> rest.run(jarId, INDEXING, List.of("--batch-size", "many"), 1, null, false))
        .isInstanceOf(FlinkRest.FlinkRestException.class)
        .hasMessage("run of IndexingJob failed: --batch-size must be an integer, got 'many'");
    assertThatThrownBy(() -> rest.run(jarId, INDEXING, List.of("--batch-sise", "5"), 1, null, false))
        .hasMessageStartingWith("run of IndexingJob failed: unknown argument --batch-sise (known: ");
  }

  @Test
  @Order(2)
  void theShadedJarOverRestIndexesAMixedSetIntoBothEnginesAndRedis() throws Exception {
    IndexingConfig config = IndexingConfig.inNamespace(Engines.freshNamespace(),
        engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 1000);
    String topic = config.documentsTopic();
    String index = config.index();
    String job = run(config, null);
    try {
      engines.produce(topic, "a1", Engines.doc("a1", "Boundary layer flow", "laminar boundary layer over a flat plate", "aero"));
      engines.produce(topic, "a2", Engines.doc("a2", "Shock waves", "oblique shock waves at supersonic speed", "aero"));
      engines.produce(topic, "u1", Engines.doc("u1", "first version", "heat transfer in pipes"));
      engines.produce(topic, "u1", Engines.doc("u1", "second version", "heat transfer in pipes and ducts"));
      engines.produce(topic, "d1", Engines.doc("d1", "to be deleted", "this one goes away"));
      engines.produce(topic, "d1", "{\"op\":\"delete\",\"id\":\"d1\"}");
      engines.produce(topic, "v1", Engines.docWithVector("v1", "supplied", 7));
      engines.produce(topic, "x1", "{not json");
      engines.produce(topic, "x6", "{\"op\":\"upsert\",\"id\":\"x6\",\"title\":\"t\",\"vector\":[0.1,0.2]}");
      engines.produce(topic, "other", "{\"op\":\"upsert\",\"id\":\"x8\",\"title\":\"t\"}");
      engines.flush();
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        assertThat(rest.state(job)).isEqualTo("RUNNING");
        assertThat(engines.esIds(index)).containsExactlyInAnyOrder("a1", "a2", "u1", "v1");
        assertThat(engines.meiliCount(index)).isEqualTo(4);
        assertThat(engines.redis.sync().get(RedisKeys.document("u1"))).contains("second version");
      });
      assertThat(engines.meiliGet(index, "u1").get("title").asText()).isEqualTo("second version");
      assertThat(engines.esGet(index, "a1").at("/_source/vector").size()).as("embedded on the cluster").isEqualTo(384);
      assertThat(engines.esGet(index, "d1")).isNull();
      assertThat(engines.meiliGet(index, "d1")).isNull();
      assertThat(engines.redis.sync().get(RedisKeys.document("d1"))).isNull();
      var dead = engines.readAll(config.deadLetterTopic(), 3, Duration.ofSeconds(30));
      assertThat(dead.stream().map(r -> Engines.header(r, "dlq.reason")))
          .containsExactlyInAnyOrder("malformed_json", "wrong_vector_dimension", "key_mismatch");
      assertThat(rest.exceptions(job)).isEmpty();
    } finally {
      rest.cancel(job);
      rest.awaitState(job, "CANCELED", Duration.ofSeconds(60));
    }
  }

  /**
   * The MiniLM tokenizer's native library can be loaded by one class loader per JVM: the second run of
   * the jar on the same TaskManager works only because DJL comes parent-first from the cluster's lib.
   */
  @Test
  @Order(3)
  void theSameJarRunsAndEmbedsTwiceOnOneTaskManager() throws Exception {
    for (int round = 1; round <= 2; round++) {
      IndexingConfig config = IndexingConfig.inNamespace(Engines.freshNamespace(),
          engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 1000);
      String job = run(config, null);
      try {
        String id = "twice" + round;
        engines.produce(config.documentsTopic(), id, Engines.doc(id, "run " + round, "embedded on the cluster again"));
        engines.flush();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
          assertThat(rest.state(job)).as("run %s", id).isEqualTo("RUNNING");
          var doc = engines.esGet(config.index(), id);
          assertThat(doc).as("run %s", id).isNotNull();
          assertThat(doc.at("/_source/vector").size()).isEqualTo(384);
        });
        assertThat(rest.exceptions(job)).as("failures of run %d", round).isEmpty();
        assertThat(rest.restarts(job)).isZero();
      } finally {
        rest.cancel(job);
        rest.awaitState(job, "CANCELED", Duration.ofSeconds(60));
      }
    }
  }

  /**
   * Stop-with-savepoint mid-ingest, run the jar again from it: nothing missing or doubled, and the keyed
   * "skip unchanged embedding" state came along (an unchanged re-send is not embedded again).
   */
  @Test
  @Order(4)
  void anUpgradeFromASavepointLosesNothingAndKeepsTheEmbeddingState() throws Exception {
    IndexingConfig config = IndexingConfig.inNamespace(Engines.freshNamespace(),
        engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 1000);
    String topic = config.documentsTopic();
    String index = config.index();
    Set<String> expected = new HashSet<>();
    String first = run(config, null);
    for (int i = 0; i < 10; i++) {
      engines.produce(topic, "e" + i, Engines.doc("e" + i, "text " + i, "embedded before the upgrade, number " + i));
      expected.add("e" + i);
    }
    engines.flush();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
        .until(() -> IntStream.range(0, 10).allMatch(i -> vectorOf(index, "e" + i) == 384));
    assertThat(rest.operatorMetric(first, "embed (" + dev.companionbrain.core.config.Setting.EMBEDDING_MODEL.defaultValue() + ")", "documents_embedded")).isLessThanOrEqualTo(10);
    for (int i = 0; i < 2000; i++) {
      engines.produce(topic, "s" + i, Engines.docWithVector("s" + i, "upgrade doc " + i, i));
      expected.add("s" + i);
    }
    engines.flush();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
        .until(() -> engines.esSearchableCount(index) >= 300);
    String savepoint = rest.stopWithSavepoint(first, null, Duration.ofSeconds(60));
    long indexedAtStop = engines.esCount(index);
    System.out.printf("upgrade: stopped with savepoint %s after %d of %d documents%n", savepoint, indexedAtStop,
        expected.size());
    assertThat(indexedAtStop).as("stopped mid-ingest").isLessThan(expected.size());
    assertThat(rest.state(first)).isEqualTo("FINISHED");

    // while the job is down: the unchanged texts again, and one new text
    for (int i = 0; i < 10; i++) {
      engines.produce(topic, "e" + i, Engines.doc("e" + i, "text " + i, "embedded before the upgrade, number " + i));
    }
    engines.produce(topic, "e10", Engines.doc("e10", "text 10", "new after the upgrade"));
    expected.add("e10");
    engines.flush();
    String second = run(config, savepoint);
    try {
      awaitEverywhere(index, expected, second, Duration.ofSeconds(180));
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
        assertThat(rest.operatorMetric(second, "embed (" + dev.companionbrain.core.config.Setting.EMBEDDING_MODEL.defaultValue() + ")", "embeddings_skipped"))
            .as("unchanged re-sends skipped by the restored state").isEqualTo(10);
        assertThat(rest.operatorMetric(second, "embed (" + dev.companionbrain.core.config.Setting.EMBEDDING_MODEL.defaultValue() + ")", "documents_embedded"))
            .as("only the new text embedded after the upgrade").isEqualTo(1);
      });
      assertThat(rest.get("/jobs/" + second + "/checkpoints").at("/latest/restored/is_savepoint").asBoolean())
          .as("restored from the savepoint").isTrue();
    } finally {
      rest.cancel(second);
      rest.awaitState(second, "CANCELED", Duration.ofSeconds(60));
    }
  }

  /**
   * kill -9 of the only TaskManager during an ingest of 5,000 documents with supplied vectors; a new
   * TaskManager starts; the job restarts from its last checkpoint by itself, and at the end every
   * document is in both engines and Redis, once. Also measures the pipeline's docs/s before the kill.
   */
  @Test
  @Order(5)
  void losingTheTaskManagerMidIngestLosesNothingAndDoublesNothing() throws Exception {
    IndexingConfig config = IndexingConfig.inNamespace(Engines.freshNamespace(),
        engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 1000);
    String topic = config.documentsTopic();
    String index = config.index();
    String job = run(config, null);
    try {
      // phase 1: 2,000 documents, the throughput of the real cluster
      List<String> phase1 = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        engines.produce(topic, "k" + i, Engines.docWithVector("k" + i, "loss doc " + i, i));
        phase1.add("k" + i);
      }
      engines.flush();
      long began = System.nanoTime();
      await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
          .until(() -> engines.esSearchableCount(index) >= 2000 && engines.meiliCount(index) >= 2000);
      double seconds = (System.nanoTime() - began) / 1e9;
      System.out.printf("real cluster: 2000 documents with supplied vectors indexed into both engines in %.1f s = %.0f docs/s%n",
          seconds, 2000 / seconds);

      // phase 2: 3,000 more; kill -9 the TaskManager early in them
      Set<String> expected = new HashSet<>(phase1);
      for (int i = 2000; i < 5000; i++) {
        engines.produce(topic, "k" + i, Engines.docWithVector("k" + i, "loss doc " + i, i));
        expected.add("k" + i);
      }
      engines.flush();
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
          .until(() -> engines.esSearchableCount(index) >= 2300);
      long indexedAtKill = engines.esSearchableCount(index);
      assertThat(rest.completedCheckpoints(job)).as("a checkpoint to recover from").isPositive();
      long killedAt = System.nanoTime();
      cluster.killTaskManager(0);
      assertThat(indexedAtKill).as("killed mid-ingest").isLessThan(4000);
      cluster.startTaskManager();
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
          .untilAsserted(() -> assertThat(rest.restarts(job)).as("the job restarted by itself").isPositive());
      double detected = (System.nanoTime() - killedAt) / 1e9;
      awaitEverywhere(index, expected, job, Duration.ofSeconds(240));
      double recovery = (System.nanoTime() - killedAt) / 1e9;
      System.out.printf("TaskManager loss: killed at %d of 5000 indexed; restart seen %.1f s after the kill; all 5000 in"
          + " both engines and Redis %.1f s after the kill (the start of a new TaskManager included)%n", indexedAtKill,
          detected, recovery);
      assertThat(rest.get("/jobs/" + job + "/checkpoints").at("/latest/restored/is_savepoint").asBoolean(true))
          .as("restored from a checkpoint").isFalse();
    } finally {
      rest.cancel(job);
      rest.awaitState(job, "CANCELED", Duration.ofSeconds(60));
    }
  }

  /** Every expected id, and nothing else, in Elasticsearch, Meilisearch and Redis; the job running. */
  private static void awaitEverywhere(String index, Set<String> expected, String job, Duration timeout)
      throws java.io.IOException {
    await().atMost(timeout).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      assertThat(rest.state(job)).isIn("RUNNING", "RESTARTING", "INITIALIZING", "CREATED");
      assertThat(engines.esCount(index)).isEqualTo(expected.size());
      assertThat(engines.meiliCount(index)).isEqualTo(expected.size());
    });
    assertThat(engines.esIds(index)).as("every id in Elasticsearch, once").isEqualTo(expected);
    List<String> meili = engines.meiliIds(index);
    assertThat(meili).as("every id in Meilisearch, once").hasSize(expected.size());
    assertThat(new HashSet<>(meili)).isEqualTo(expected);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(engines.redisDocuments(expected)).as("every id in Redis").isEqualTo(expected.size()));
  }

  private static int vectorOf(String index, String id) {
    try {
      var doc = engines.esGet(index, id);
      return doc == null ? 0 : doc.at("/_source/vector").size();
    } catch (java.io.IOException e) {
      return 0;
    }
  }
}
