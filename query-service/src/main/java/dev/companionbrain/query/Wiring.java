package dev.companionbrain.query;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.companionbrain.core.embed.Embedder;
import dev.companionbrain.core.embed.EmbeddingModel;
import dev.companionbrain.core.index.ElasticsearchClients;
import dev.companionbrain.core.index.IndexCreator;
import dev.companionbrain.core.index.IndexVersions;
import dev.companionbrain.core.index.VectorDialect;
import dev.companionbrain.core.search.Retriever;
import dev.companionbrain.core.search.backend.Bm25Retrieval;
import dev.companionbrain.core.search.backend.KnnRetrieval;
import dev.companionbrain.core.search.backend.MeilisearchRetrieval;
import dev.companionbrain.core.search.backend.Retrieval;
import dev.companionbrain.core.search.backend.VocabularySuggestions;
import dev.companionbrain.core.cache.RedisConnector;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;

/**
 * The composition root: builds the query service's {@link QueryService.Collaborators} from its
 * configuration (the engines' clients, Redis, Kafka, the embedder). Nothing else in the service
 * creates a client.
 */
final class Wiring {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Wiring.class);

  private Wiring() {}

  static QueryService.Collaborators fromConfig(QueryConfig config, Ticker ticker, LongSupplier clock) {
    List<AutoCloseable> resources = new ArrayList<>();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try {
      RestClient elasticsearch = ElasticsearchClients.builder(config.engines(), config.maxBackendConnections())
          .setRequestConfigCallback(r -> r.setConnectTimeout(1000).setSocketTimeout(5000).setConnectionRequestTimeout(1000))
          .build();
      resources.add(elasticsearch);
      MeilisearchRetrieval text = new MeilisearchRetrieval(config.engines().meilisearchUrl(), config.engines().meilisearchKey(), config.index(),
          config.textTimeout(), config.maxBackendConnections());
      resources.add(text);
      // one Redis or a Redis Cluster; every command bounded at 200 ms, refused at once while disconnected
      RedisConnector redisClient = RedisConnector.create(config.engines().redisUri(), RedisConnector.Options.SERVING);
      resources.add(0, redisClient); // closed last
      RedisStore redis = new RedisStore(redisClient.connect(), redisClient.connectBinary(), config.l2Ttl());
      resources.add(0, redis::close);
      RedisConnector.Connection keyConnection = redisClient.connect();
      resources.add(0, keyConnection);
      ApiKeyStore keyStore = new ApiKeyStore(keyConnection);
      GenerationClock generations = new GenerationClock();
      VectorDialect dialect = detectDialect(elasticsearch);
      // an answer searches one version, and a query embedded by one model never searches another model's
      // vectors: the service embeds with the model the served index records (the catalogue's only while
      // there is no index), and follows the served version and its model after a reindex switched
      EmbeddingModel model = IndexCreator.recordedModel(elasticsearch, config.index()).orElse(config.embeddingModel());
      if (model != config.embeddingModel()) {
        LOG.info("index {} holds vectors of {}: queries are embedded with it, not with {} ({})", config.index(), model.wireName(),
            config.embeddingModel().wireName(), dev.companionbrain.core.config.Setting.EMBEDDING_MODEL.variable());
      }
      ServedIndex served = new ServedIndex(Embedder.of(model), () -> servedVersion(elasticsearch, config.index()), Embedder::of);
      served.check();
      GenerationListener listener = new GenerationListener(redisClient, redis, generations, clock, registry, served::check);
      resources.add(0, listener);
      Map<Retriever, Retrieval> retrievals = new EnumMap<>(Retriever.class);
      retrievals.put(Retriever.TEXT, text);
      retrievals.put(Retriever.KEYWORD, new Bm25Retrieval(elasticsearch, config.index()));
      retrievals.put(Retriever.VECTOR, new KnnRetrieval(elasticsearch, config.index(), dialect));
      Hydrator hydrator = Hydrator.of(redis, elasticsearch, config.index());
      Map<String, Readiness.Probe> probes = new LinkedHashMap<>();
      probes.put("elasticsearch", () -> {
        elasticsearch.performRequest(new Request("GET", "/_cluster/health"));
        return true;
      });
      probes.put("meilisearch", text::healthy);
      probes.put("redis", redis::ping);
      return new QueryService.Collaborators(retrievals, served, redis, hydrator::get, probes,
          LatencyReporter.producer(config.kafkaBootstrapServers()),
          config.warming()
              ? cache -> new WarmConsumer(config.kafkaBootstrapServers(), config.warmTopic(), config.warmersGroup(), cache,
                  generations, registry)
              : null,
          generations, clock, ticker, registry, keyStore::find,
          new VocabularySuggestions(elasticsearch, config.index())::suggest, resources);
    } catch (RuntimeException e) {
      for (AutoCloseable resource : resources) {
        try {
          resource.close();
        } catch (Exception ignored) {
          // failing already
        }
      }
      throw e;
    }
  }

  /** The version alias {@code index} serves and the model its vectors are of; empty while there is no index. */
  private static java.util.Optional<ServedIndex.Recorded> servedVersion(RestClient elasticsearch, String index) {
    return IndexVersions.servedVersion(elasticsearch, index).flatMap(version -> IndexCreator.recordedModel(elasticsearch,
        IndexVersions.elasticsearch(index, version)).map(model -> new ServedIndex.Recorded(version, model)));
  }

  private static VectorDialect detectDialect(RestClient client) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      try {
        return VectorDialect.detect(client);
      } catch (RuntimeException e) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("the Elasticsearch API does not answer GET /: " + e.getMessage(), e);
        }
        try {
          Thread.sleep(500); // waiting for the engine to come up at start
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(ie);
        }
      }
    }
  }
}
