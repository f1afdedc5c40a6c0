package dev.companionbrain.jobs.indexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.companionbrain.core.cache.GenerationNotice;
import dev.companionbrain.core.cache.RedisKeys;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.localstack.LocalStackExtension;
import dev.companionbrain.testsupport.Engines;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.SavepointConfigOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The whole IndexingJob on a MiniCluster against the real engines of the local stack. */
@ExtendWith(LocalStackExtension.class)
class IndexingJobIT {
  private static Engines engines;

  @BeforeAll
  static void connect(Endpoints endpoints) {
    engines = new Engines(endpoints);
  }

  @AfterAll
  static void disconnect() throws IOException {
    engines.close();
  }

  static StreamExecutionEnvironment env(Path checkpoints, Path restoreFrom) {
    Configuration conf = new Configuration();
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    if (restoreFrom != null) {
      conf.set(SavepointConfigOptions.SAVEPOINT_PATH, restoreFrom.toUri().toString());
    }
    return StreamExecutionEnvironment.createLocalEnvironment(2, conf);
  }

  @Test
  void indexesGoodDocumentsInBothEnginesAndDeadLettersEachBadOne(@TempDir Path checkpoints) throws Exception {
    IndexingConfig config = IndexingConfig.inNamespace(Engines.freshNamespace(),
        engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 1000);
    String topic = config.documentsTopic();
    // the job creates its documents topic log-compacted, keeping every live document for a replay
    IndexingJob.prepare(config);
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
        "bootstrap.servers", engines.endpoints.kafkaBootstrapServers()))) {
      assertThat(Topics.cleanupPolicy(admin, topic)).isEqualTo("compact");
      assertThat(Topics.cleanupPolicy(admin, config.deadLetterTopic())).isEqualTo("delete");
    }
    engines.produce(topic, "a1", Engines.doc("a1", "Boundary layer flow", "laminar boundary layer over a flat plate", "aero"));
    engines.produce(topic, "a2", Engines.doc("a2", "Shock waves", "oblique shock waves at supersonic speed", "aero", "shock"));
    // a tombstone (no value) deletes the document its key names
    engines.produce(topic, "t1", Engines.doc("t1", "tombstoned", "deleted by a record without a value"));
    engines.produce(topic, "t1", null);
    engines.produce(topic, "u1", Engines.doc("u1", "first version", "heat transfer in pipes"));
    engines.produce(topic, "u1", Engines.doc("u1", "second version", "heat transfer in pipes and ducts"));
    engines.produce(topic, "u1", Engines.doc("u1", "third version", "heat transfer in pipes and ducts"));
    engines.produce(topic, "d1", Engines.doc("d1", "to be deleted", "this one goes away"));
    engines.produce(topic, "d1", "{\"op\":\"delete\",\"id\":\"d1\"}");
    engines.produce(topic, "v1", Engines.docWithVector("v1", "supplied", 7));
    // huge values overflow Lucene's float cosine: stored as given, one such vector failed every kNN search
    engines.produce(topic, "v2", "{\"op\":\"upsert\",\"id\":\"v2\",\"title\":\"huge\",\"vector\":[3e38,-3e38"
        + ",0".repeat(382) + "]}");
    // one of each bad kind
    engines.produce(topic, "x1", "{not json");
    // a compacted topic refuses a record without a key: those without an id to key by come with the empty key
    engines.produce(topic, "", "{\"op\":\"upsert\",\"title\":\"no id\"}");
    engines.produce(topic, "", "{\"op\":\"upsert\",\"id\":\"bad id!\",\"title\":\"t\"}");
    engines.produce(topic, "x4", "{\"op\":\"upsert\",\"id\":\"x4\",\"title\":5}");
    engines.produce(topic, "x5", "{\"op\":\"upsert\",\"id\":\"x5\",\"title\":\"big\",\"body\":\"" + "a".repeat(100_001) + "\"}");
    engines.produce(topic, "x6", "{\"op\":\"upsert\",\"id\":\"x6\",\"title\":\"t\",\"vector\":[0.1,0.2]}");
    engines.produce(topic, "x7", "{\"op\":\"merge\",\"id\":\"x7\"}");
    engines.produce(topic, "other", "{\"op\":\"upsert\",\"id\":\"x8\",\"title\":\"t\"}");
    engines.produce(topic, "x9", "{\"op\":\"upsert\",\"id\":\"x9\",\"title\":\"  \"}");
    // a tag Lucene could not index (over 32,766 bytes as one keyword term): refused before any engine sees it
    engines.produce(topic, "x10", "{\"op\":\"upsert\",\"id\":\"x10\",\"title\":\"t\",\"tags\":[\"" + "t".repeat(40_000) + "\"]}");
    engines.flush();

    JobClient job = IndexingJob.start(env(checkpoints, null), config);
    try {
      String index = config.index();
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        assertRunning(job);
        JsonNode u1 = engines.esGet(index, "u1");
        assertThat(u1).isNotNull();
        assertThat(u1.at("/_source/title").asText()).isEqualTo("third version");
        assertThat(engines.esCount(index)).isEqualTo(5);
        assertThat(engines.meiliCount(index)).isEqualTo(5);
        assertThat(engines.redis.sync().get(RedisKeys.document("u1"))).contains("third version");
      });
      // latest version everywhere; vectors computed or kept; deletes gone from every engine
      assertThat(engines.meiliGet(index, "u1").get("title").asText()).isEqualTo("third version");
      assertThat(engines.esGet(index, "a1").at("/_source/vector").size()).isEqualTo(384);
      assertThat(engines.esGet(index, "u1").at("/_source/vector").size())
          .as("an unchanged text keeps the vector computed for the earlier version").isEqualTo(384);
      // the producer's vector (1.0 at 7, 0.01 elsewhere), scaled to unit length
      assertThat(engines.esGet(index, "v1").at("/_source/vector/7").asDouble())
          .isCloseTo(1 / Math.sqrt(1 + 383 * 0.0001), org.assertj.core.api.Assertions.within(1e-6));
      assertThat(engines.esGet(index, "v2").at("/_source/vector/0").asDouble())
          .as("a supplied vector is stored at unit length").isCloseTo(Math.sqrt(0.5), org.assertj.core.api.Assertions.within(1e-6));
      org.elasticsearch.client.Request knn = new org.elasticsearch.client.Request("POST", "/" + index + "/_search");
      knn.setJsonEntity("{\"size\":3,\"query\":{\"knn\":{\"vector\":{\"vector\":[" + "0.05,".repeat(383) + "0.05],\"k\":3}}}}");
      assertThat(engines.elasticsearch.performRequest(knn).getStatusLine().getStatusCode()).isEqualTo(200);
      assertThat(engines.esGet(index, "d1")).isNull();
      assertThat(engines.esGet(index, "t1")).isNull();
      assertThat(engines.meiliGet(index, "t1")).isNull();
      assertThat(engines.meiliGet(index, "d1")).isNull();
      assertThat(engines.redis.sync().get(RedisKeys.document("d1"))).isNull();
      assertThat(engines.redis.sync().get(RedisKeys.document("a2"))).contains("\"snippet\"").contains("oblique shock");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(engines.redis.sync().get(RedisKeys.GENERATION)).isNotNull());

      var dead = engines.readAll(config.deadLetterTopic(), 10, Duration.ofSeconds(30));
      Map<String, String> reasons = new TreeMap<>(dead.stream().collect(Collectors.toMap(
          r -> new String(r.value(), StandardCharsets.UTF_8).substring(0, Math.min(30, r.value().length)),
          r -> Engines.header(r, "dlq.reason"), (x, y) -> x + "," + y)));
      assertThat(dead).hasSize(10);
      assertThat(reasons.values()).containsExactlyInAnyOrder("malformed_json", "missing_id", "invalid_id", "wrong_type",
          "body_too_large", "wrong_vector_dimension", "unknown_op", "key_mismatch", "empty_document", "field_too_large");
      var malformed = dead.stream().filter(r -> "malformed_json".equals(Engines.header(r, "dlq.reason"))).findFirst().orElseThrow();
      assertThat(new String(malformed.value(), StandardCharsets.UTF_8)).as("original bytes").isEqualTo("{not json");
      assertThat(Engines.header(malformed, "dlq.topic")).isEqualTo(topic);
      assertThat(Engines.header(malformed, "dlq.offset")).isNotBlank();
      assertThat(Engines.header(malformed, "dlq.partition")).isNotBlank();
    } finally {
      job.cancel().get();
    }
  }

  @Test
  void restartFromTheLastCheckpointLosesNothingAndDoublesNothing(@TempDir Path checkpoints) throws Exception {
    IndexingConfig config = IndexingConfig.inNamespace(Engines.freshNamespace(),
        engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 500);
    String topic = config.documentsTopic();
    for (int i = 0; i < 600; i++) {
      engines.produce(topic, "r" + i, Engines.docWithVector("r" + i, "restart doc " + i, i));
    }
    engines.flush();
    JobClient first = IndexingJob.start(env(checkpoints, null), config);
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
      assertRunning(first);
      return latestCheckpoint(checkpoints).isPresent() && engines.esCount(config.index()) > 0;
    });
    first.cancel().get();
    Path checkpoint = latestCheckpoint(checkpoints).orElseThrow();
    // more arrive while the job is down, including updates of documents already indexed
    for (int i = 600; i < 900; i++) {
      engines.produce(topic, "r" + i, Engines.docWithVector("r" + i, "restart doc " + i, i));
    }
    for (int i = 0; i < 50; i++) {
      engines.produce(topic, "r" + i, Engines.docWithVector("r" + i, "updated doc " + i, i));
    }
    engines.flush();

    JobClient second = IndexingJob.start(env(checkpoints, checkpoint), config);
    try {
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        assertRunning(second);
        assertThat(engines.esCount(config.index())).isEqualTo(900);
        assertThat(engines.meiliCount(config.index())).isEqualTo(900);
      });
      assertThat(engines.esGet(config.index(), "r10").at("/_source/title").asText()).isEqualTo("updated doc 10");
      assertThat(engines.meiliGet(config.index(), "r10").get("title").asText()).isEqualTo("updated doc 10");
      assertThat(engines.meiliGet(config.index(), "r899")).isNotNull();
    } finally {
      second.cancel().get();
    }
  }

  /**
   * The generation is the query service's signal that a checkpoint's documents are searchable: the
   * committer refreshes Elasticsearch before announcing it, so a page cached at the new generation
   * cannot lack them. (Meilisearch's tasks are awaited at the checkpoint itself.)
   */
  @Test
  void aNewGenerationMeansItsDocumentsAreSearchable(@TempDir Path checkpoints) throws Exception {
    IndexingConfig config = IndexingConfig.inNamespace(Engines.freshNamespace(),
        engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 500);
    // a Meilisearch index of an older version (only tags filterable): the job brings its settings up to date
    engines.meilisearch.waitForTask(engines.meilisearch.createIndex(config.index(), "id").getTaskUid());
    engines.meilisearch.waitForTask(engines.meilisearch.index(config.index())
        .updateFilterableAttributesSettings(new String[] {"tags"}).getTaskUid());
    JobClient job = IndexingJob.start(env(checkpoints, null), config);
    try {
      assertThat(engines.meilisearch.index(config.index()).getFilterableAttributesSettings())
          .as("ids filterable on an index created before they were").contains("tags", "id");
      for (int round = 0; round < 3; round++) {
        String before = engines.redis.sync().get(RedisKeys.GENERATION);
        long g0 = before == null ? 0 : Long.parseLong(before);
        String id = "gen" + round;
        engines.produce(config.documentsTopic(), id, Engines.doc(id, "generation " + round, "visible when announced"));
        engines.flush();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
          String g = engines.redis.sync().get(RedisKeys.GENERATION);
          return g != null && Long.parseLong(g) > g0;
        });
        // no refresh of our own: a search right after the announcement must already see the document
        var request = new org.elasticsearch.client.Request("GET", "/" + config.index() + "/_search");
        request.setJsonEntity("{\"query\":{\"ids\":{\"values\":[\"" + id + "\"]}}}");
        JsonNode hits = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
            engines.elasticsearch.performRequest(request).getEntity().getContent()).at("/hits/total/value");
        assertThat(hits.asInt()).as("round %d", round).isEqualTo(1);
        // nor a Meilisearch read: its tasks were awaited at the checkpoint
        assertThat(engines.meiliGet(config.index(), id)).as("round %d in Meilisearch", round).isNotNull();
      }
      // each generation is also a notice on the generations topic, keyed by the generation
      var records = engines.readAll(config.generationsTopic(), 3, Duration.ofSeconds(30));
      assertThat(records).hasSizeGreaterThanOrEqualTo(3);
      java.util.Set<Long> generations = new java.util.HashSet<>();
      for (var record : records) {
        GenerationNotice notice = GenerationNotice.fromJson(new String(record.value(), StandardCharsets.UTF_8));
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(Long.toString(notice.generation()));
        assertThat(notice.documents()).isPositive();
        assertThat(notice.oldestProducedAt()).isPositive().isLessThanOrEqualTo(notice.publishedAt());
        assertThat(notice.publishedAt()).isLessThanOrEqualTo(System.currentTimeMillis());
        assertThat(generations.add(notice.generation())).as("one notice per generation").isTrue();
        // what it changed: the round's document, and the same notice kept under the generation for a while
        assertThat(notice.listsChanges()).isTrue();
        assertThat(notice.upserted()).hasSizeBetween(1, (int) notice.documents()).allMatch(id -> id.startsWith("gen"));
        assertThat(notice.deleted()).isEmpty();
        String kept = engines.redis.sync().get(RedisKeys.generationNotice(notice.generation()));
        assertThat(GenerationNotice.fromJson(kept)).isEqualTo(notice);
        assertThat(engines.redis.sync().ttl(RedisKeys.generationNotice(notice.generation())))
            .isBetween(1L, RedisKeys.GENERATION_NOTICE_TTL_SECONDS);
      }
    } finally {
      job.cancel().get();
    }
  }

  static void assertRunning(JobClient job) throws Exception {
    JobStatus status = job.getJobStatus().get();
    if (status.isGloballyTerminalState()) {
      try {
        job.getJobExecutionResult().get();
      } catch (Exception e) {
        throw new AssertionError("job ended: " + status, e);
      }
      throw new AssertionError("job ended: " + status);
    }
  }

  static Optional<Path> latestCheckpoint(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root, 3)) {
      return paths.filter(p -> p.getFileName().toString().equals("_metadata"))
          .map(Path::getParent)
          .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(4))));
    }
  }
}
