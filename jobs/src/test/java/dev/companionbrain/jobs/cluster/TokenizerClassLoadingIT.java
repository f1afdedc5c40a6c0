package dev.companionbrain.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.companionbrain.testsupport.Engines;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.jobs.indexing.IndexingJob;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.localstack.FlinkCluster;
import dev.companionbrain.localstack.FlinkRest;
import dev.companionbrain.localstack.LocalStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Why {@code flink-conf/config.yaml} loads DJL parent-first from the cluster's lib: without that line
 * the job jar's own DJL loads {@code libtokenizers.so} in the job's class loader, and the second run of
 * the jar on the same TaskManager cannot load it again. (With the line, {@code RealClusterIT} runs it
 * twice.) If this test starts failing, the pitfall is gone and the line can go.
 */
@ExtendWith(LocalStackExtension.class)
class TokenizerClassLoadingIT {
  @Test
  void withoutParentFirstDjlTheSecondRunOnOneTaskManagerCannotLoadTheTokenizer(Endpoints endpoints, @TempDir Path conf)
      throws Exception {
    Path config = conf.resolve("config.yaml");
    Files.writeString(config, Files.readAllLines(Path.of("..", "flink-conf", "config.yaml")).stream()
        .filter(l -> !l.startsWith("classloader.parent-first-patterns.additional"))
        .collect(Collectors.joining("\n")));
    try (Engines engines = new Engines(endpoints);
        FlinkCluster cluster = FlinkCluster.start(config, 1, Map.of("BRAIN_MEILISEARCH_KEY", endpoints.meilisearchKey()))) {
      FlinkRest rest = new FlinkRest(cluster.restUrl());
      String jar = rest.uploadJar(Path.of("target", "companion-brain-jobs.jar"));

      IndexingConfig first = IndexingConfig.inNamespace(Engines.freshNamespace(),
          engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 1000);
      String job1 = rest.run(jar, IndexingJob.class.getName(), first.programArguments(), 1, null, false);
      engines.produce(first.documentsTopic(), "n1", Engines.doc("n1", "first run", "embedded in the first class loader"));
      engines.flush();
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
        var doc = engines.esGet(first.index(), "n1");
        return doc != null && doc.at("/_source/vector").size() == 384;
      });
      rest.cancel(job1);
      rest.awaitState(job1, "CANCELED", Duration.ofSeconds(60));

      IndexingConfig second = IndexingConfig.inNamespace(Engines.freshNamespace(),
          engines.endpoints.kafkaBootstrapServers(), engines.addresses(), 1000);
      String job2 = rest.run(jar, IndexingJob.class.getName(), second.programArguments(), 1, null, false);
      engines.produce(second.documentsTopic(), "n2", Engines.doc("n2", "second run", "needs the tokenizer again"));
      engines.flush();
      try {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
            assertThat(rest.get("/jobs/" + job2 + "/exceptions").toString()).contains("already loaded in another classloader"));
        assertThat(engines.esGet(second.index(), "n2")).as("not indexed: the embedder cannot start").isNull();
      } finally {
        rest.cancel(job2);
      }
    }
  }
}
