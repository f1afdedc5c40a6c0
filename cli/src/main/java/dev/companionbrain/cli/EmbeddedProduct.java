package dev.companionbrain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.config.EngineAddresses;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.core.index.ElasticsearchClients;
import dev.companionbrain.core.index.IndexVersions;
import dev.companionbrain.core.relevance.CollectionDocument;
import dev.companionbrain.core.relevance.TestCollection;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.query.QueryConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;
import org.elasticsearch.client.RestClient;

/** Wiring shared by the commands that run the product on a local stack (up, eval, bench load). */
public final class EmbeddedProduct {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EmbeddedProduct() {}

  /**
   * The indexing job as the catalogue configures it (this process's environment over the defaults of
   * docs/CONFIGURATION.md: topics, consumer group, index, batching, checkpoint interval, outage
   * tolerance, listed changes) on the stack's engines: what {@code ./brain up} runs.
   */
  static IndexingConfig indexing(Endpoints e) {
    return indexing(e, Settings.fromEnvironment());
  }

  /** {@link #indexing(Endpoints)} reading {@code s} instead of the environment. */
  static IndexingConfig indexing(Endpoints e, Settings s) {
    return indexing(e, s.get(Setting.DOCUMENTS_TOPIC), s.get(Setting.DLQ_TOPIC), s.get(Setting.INDEXING_GROUP), s.index(), s);
  }

  /**
   * The indexing job on topics and an index of their own (group {@code brain-indexing-<index>}), tuned
   * as the catalogue says (see {@link #indexing(Endpoints)}): a run that meets no other on the stack.
   */
  public static IndexingConfig indexing(Endpoints e, String documentsTopic, String deadLetterTopic, String index) {
    return indexing(e, documentsTopic, deadLetterTopic, index, Map.of());
  }

  /** The same, {@code overrides} (variables of the catalogue) over the environment. */
  public static IndexingConfig indexing(Endpoints e, String documentsTopic, String deadLetterTopic, String index,
      Map<String, String> overrides) {
    return indexing(e, documentsTopic, deadLetterTopic, "brain-indexing-" + index, index, settings(overrides));
  }

  /** The local stack's engines: no logins. */
  private static EngineAddresses addresses(Endpoints e) {
    return EngineAddresses.withoutLogins(e.elasticsearchUrl(), e.meilisearchUrl(), e.meilisearchKey(), e.redisUri());
  }

  private static IndexingConfig indexing(Endpoints e, String documentsTopic, String deadLetterTopic, String group,
      String index, Settings s) {
    IndexingConfig tuned = IndexingConfig.from(s);
    // the local stack has one broker and one search node: one replica of each topic, none of the index
    return new IndexingConfig(e.kafkaBootstrapServers(), documentsTopic, deadLetterTopic, tuned.generationsTopic(), group,
        addresses(e), index,
        tuned.batchSize(), tuned.maxBatchWaitMillis(), tuned.checkpointIntervalMillis(), (short) 1, 0,
        tuned.engineOutageToleranceMillis(), tuned.generationChangesMax(), tuned.embeddingModel());
  }

  /** The model the local product embeds with: the catalogue's {@code BRAIN_EMBEDDING_MODEL}. */
  public static dev.companionbrain.core.embed.EmbeddingModel model() {
    return settings(Map.of()).parse(Setting.EMBEDDING_MODEL, dev.companionbrain.core.embed.EmbeddingModel::fromWire);
  }

  /** {@link #model()}, loaded in this JVM. */
  public static dev.companionbrain.core.embed.Embedder embedder() {
    return dev.companionbrain.core.embed.Embedder.of(model());
  }

  /** The catalogue's settings: this process's environment, {@code overrides} over it. */
  public static Settings settings(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(overrides);
    return new Settings(env);
  }

  /** The query service's configuration on the stack's engines; {@code overrides} are more variables. */
  static QueryConfig query(Endpoints e, String index, int port, Map<String, String> overrides) {
    return QueryConfig.from(new Settings(queryEnvironment(e, index, port, overrides)));
  }

  /** The environment a query service process reads its configuration from (see {@link #query}). */
  public static Map<String, String> queryEnvironment(Endpoints e, String index, int port, Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put(Setting.QUERY_PORT.variable(), Integer.toString(port));
    env.put(Setting.ELASTICSEARCH_URL.variable(), e.elasticsearchUrl());
    env.put(Setting.MEILISEARCH_URL.variable(), e.meilisearchUrl());
    env.put(Setting.MEILISEARCH_KEY.variable(), e.meilisearchSearchKey()); // search only: the service never writes
    env.put(Setting.REDIS_URI.variable(), e.redisUri());
    env.put(Setting.KAFKA_BOOTSTRAP_SERVERS.variable(), e.kafkaBootstrapServers());
    env.put(Setting.INDEX.variable(), index);
    env.putAll(overrides);
    return env;
  }

  /** Documents of a collection that the pipeline indexes (it refuses those without title and body). */
  public static long indexable(TestCollection c) {
    return c.documents().stream().filter(d -> !(d.title().isBlank() && d.body().isBlank())).count();
  }

  /** Pushes every document of a collection into the job's topic. */
  public static void publish(TestCollection c, IndexingConfig indexing) throws Exception {
    publish(c, indexing.kafkaBootstrapServers(), indexing.documentsTopic());
  }

  /** Pushes every document of a collection into {@code documentsTopic} of the broker at {@code bootstrapServers}. */
  public static void publish(TestCollection c, String bootstrapServers, String documentsTopic) throws Exception {
    try (DocumentPublisher publisher = new DocumentPublisher(bootstrapServers, documentsTopic)) {
      for (CollectionDocument d : c.documents()) {
        publisher.send(d.id(), Ingest.collectionDocumentJson(d, null));
      }
      publisher.flush();
    }
  }

  /**
   * Waits until both engines hold {@code expected} documents of the version of {@code index} served
   * now and Meilisearch is idle, reporting the smaller count as it goes.
   */
  public static void awaitIndexed(Endpoints e, String index, long expected, LongConsumer progress) throws Exception {
    awaitIndexed(e, index, expected, progress, java.time.Duration.ofMinutes(15));
  }

  /** {@link #awaitIndexed(Endpoints, String, long, LongConsumer)} giving up after {@code timeout}. */
  public static void awaitIndexed(Endpoints e, String index, long expected, LongConsumer progress, java.time.Duration timeout)
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    String meilisearchIndex;
    try (RestClient es = ElasticsearchClients.builder(addresses(e), 0).build()) {
      meilisearchIndex = IndexVersions.meilisearch(index, IndexVersions.servedVersion(es, index).orElse(IndexVersions.SERVED));
    }
    while (System.currentTimeMillis() < deadline) {
      http.send(HttpRequest.newBuilder(URI.create(e.elasticsearchUrl() + "/" + index + "/_refresh"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
      String es = http.send(HttpRequest.newBuilder(URI.create(e.elasticsearchUrl() + "/" + index + "/_count")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      String meili = http.send(HttpRequest.newBuilder(URI.create(e.meilisearchUrl() + "/indexes/" + meilisearchIndex + "/stats"))
          .header("Authorization", "Bearer " + e.meilisearchKey()).build(), HttpResponse.BodyHandlers.ofString()).body();
      long esCount = JSON.readTree(es).path("count").asLong(0);
      var stats = JSON.readTree(meili);
      long meiliCount = stats.path("numberOfDocuments").asLong(0);
      progress.accept(Math.min(esCount, meiliCount));
      if (esCount >= expected && meiliCount >= expected && !stats.path("isIndexing").asBoolean(false)) {
        return;
      }
      Thread.sleep(500); // polling the engines' document counts
    }
    throw new IllegalStateException(expected + " documents were not all indexed within " + timeout.toSeconds() + " s");
  }
}
