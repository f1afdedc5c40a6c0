package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.cache.RedisKeys;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.localstack.LocalStack;
import dev.companionbrain.localstack.LocalStackExtension;
import dev.companionbrain.localstack.OnRedisCluster;
import dev.companionbrain.localstack.RedisCluster;
import dev.companionbrain.testsupport.Engines;
import io.lettuce.core.cluster.SlotHash;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Redis Cluster master lost under load (issue #19): two query service instances answer a paced
 * search mix (each query asked of one instance, then of the other: a miss, then an L2 hit) while
 * documents stream through the IndexingJob, and the master holding the generation's slot is killed
 * with kill -9. Every search must still answer 200, none wait past the Redis timeout plus the uncached
 * path, L2 hits must come back once the replica took over, and every streamed document must end up in
 * Redis. The figures (kill to first L2 hit again, kill to the last streamed document's hydration
 * entry) are printed as one {@code failover:} line for BENCHMARKS.md.
 */
@ExtendWith(LocalStackExtension.class)
class RedisClusterFailoverIT implements OnRedisCluster {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** One search's answer: when, its status, its cache level, its time, and the generation it is valid for. */
  record Answer(long at, int status, String cache, long nanos, long generation) {}

  @Test
  void aMasterKilledUnderLoadCostsNoSearchAndLosesNoDocument(LocalStack stack, Endpoints endpoints) throws Exception {
    RedisCluster cluster = stack.redisCluster();
    try (Engines engines = new Engines(endpoints)) {
      IndexingConfig indexing = IndexingConfig.inNamespace(Engines.freshNamespace(),
          endpoints.kafkaBootstrapServers(), engines.addresses(), 500);
      JobClient job = QueryServiceIT.indexCorpus(engines, indexing);
      QueryConfig config = QueryServiceIT.configFor(endpoints, endpoints.redisUri(), indexing, 64, Map.of());
      try (QueryService a = QueryService.start(config); QueryService b = QueryService.start(config)) {
        List<Answer> answers = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong asked = new AtomicLong();
        Thread searches = new Thread(() -> {
          String[] words = {"boundary layer", "shock waves", "heat transfer", "buckling shells", "flat plate flow"};
          while (running.get()) {
            long n = asked.incrementAndGet();
            String q = "q=" + URLEncoder.encode(words[(int) (n % words.length)] + " " + n, StandardCharsets.UTF_8);
            answers.add(search(n % 2 == 0 ? a : b, q));
            answers.add(search(n % 2 == 0 ? b : a, q));
            pause(40);
          }
        }, "search-mix");
        List<String> streamed = new ArrayList<>();
        Thread documents = new Thread(() -> {
          for (int i = 0; running.get() && i < 400; i++) {
            String id = "stream-" + i;
            engines.produce(indexing.documentsTopic(), id, Engines.doc(id, "streamed " + i, "a document streamed in during the failover"));
            synchronized (streamed) {
              streamed.add(id);
            }
            engines.flush();
            pause(50);
          }
        }, "documents");
        searches.start();
        documents.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> answers.stream().anyMatch(x -> "l2".equals(x.cache())));
        pause(2000);
        int master = cluster.masterOf(SlotHash.getSlot(RedisKeys.GENERATION));
        long killed = cluster.kill(master);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
            .until(() -> cluster.masterOf(SlotHash.getSlot(RedisKeys.GENERATION)) != master);
        long promoted = System.currentTimeMillis();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
            .until(() -> answers.stream().anyMatch(x -> x.at() > promoted && "l2".equals(x.cache())));
        long firstL2Again = answers.stream().filter(x -> x.at() > killed && "l2".equals(x.cache()))
            .mapToLong(Answer::at).min().orElseThrow();
        // the generation's keys lived on the killed master: the job commits them again on the promoted
        // replica, and the services hear of them (the channel, or their poll of the notice)
        long generationBefore = answers.stream().filter(x -> x.at() < killed).mapToLong(Answer::generation).max().orElseThrow();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
            .until(() -> answers.stream().anyMatch(x -> x.generation() > generationBefore));
        long newGeneration = answers.stream().filter(x -> x.generation() > generationBefore).mapToLong(Answer::at).min()
            .orElseThrow();
        pause(3000);
        running.set(false);
        searches.join();
        documents.join();
        List<String> ids;
        synchronized (streamed) {
          ids = List.copyOf(streamed);
        }
        // the test's own client may not know the promoted master yet (its topology is re-read every 5 s)
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
            .until(() -> engines.redisDocuments(ids) == ids.size());
        long caughtUp = System.currentTimeMillis();
        for (String id : List.of(ids.get(0), ids.get(ids.size() / 2), ids.get(ids.size() - 1))) {
          assertThat(engines.redis.sync().get(RedisKeys.document(id))).contains("streamed " + id.substring(7));
        }

        assertThat(answers).allSatisfy(x -> assertThat(x.status()).as("every search answers").isEqualTo(200));
        long uncachedBefore = answers.stream().filter(x -> x.at() < killed && "miss".equals(x.cache()))
            .mapToLong(Answer::nanos).max().orElseThrow();
        long slowestAfter = answers.stream().filter(x -> x.at() >= killed).mapToLong(Answer::nanos).max().orElseThrow();
        long bound = uncachedBefore + Duration.ofMillis(200).toNanos() * 3; // a window read, a claim, a hydration read
        assertThat(slowestAfter).as("the slowest search after the kill, ns (the slowest miss before it: %d)",
            uncachedBefore).isLessThanOrEqualTo(bound);
        // each master has its own breaker: the windows on the two masters left keep their L2 hits
        long whileDown = answers.stream().filter(x -> x.at() > killed && x.at() < promoted).count();
        long l2WhileDown = answers.stream().filter(x -> x.at() > killed && x.at() < promoted && "l2".equals(x.cache())).count();
        assertThat(l2WhileDown).as("L2 hits on the other masters while one was down (of %d searches)", whileDown)
            .isPositive();
        System.out.printf("failover: searches %d (all 200), promoted %d ms, first L2 hit %d ms, L2 hits while the master"
            + " was down %d of %d searches, first answer at a new generation %d ms, every streamed document (%d) in"
            + " Redis %d ms after the kill; slowest search %d ms after, %d ms before (miss)%n",
            answers.size(), promoted - killed, firstL2Again - killed, l2WhileDown, whileDown, newGeneration - killed,
            ids.size(), caughtUp - killed,
            slowestAfter / 1_000_000, uncachedBefore / 1_000_000);
        assertThat(job.getJobStatus().get().isGloballyTerminalState()).as("the indexing job held back, it did not fail")
            .isFalse();
      } finally {
        job.cancel().get();
      }
    }
  }

  private static Answer search(QueryService service, String query) {
    long start = System.nanoTime();
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + "/search?" + query))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      long took = System.nanoTime() - start;
      JsonNode body = response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.createObjectNode();
      return new Answer(System.currentTimeMillis(), response.statusCode(), body.path("cache").asText(), took,
          body.path("generation").asLong(-1));
    } catch (Exception e) {
      return new Answer(System.currentTimeMillis(), -1, e.toString(), System.nanoTime() - start, -1);
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis); // the mix's pace, not a wait for a condition
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
