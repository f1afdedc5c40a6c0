package dev.companionbrain.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.companionbrain.core.cache.HydrationEntry;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.core.document.DocumentIds;
import dev.companionbrain.core.embed.Embedder;
import dev.companionbrain.core.index.ElasticsearchClients;
import dev.companionbrain.core.index.VectorDialect;
import dev.companionbrain.core.search.BadRequestException;
import dev.companionbrain.core.search.Retriever;
import dev.companionbrain.core.search.backend.KeywordIndex;
import dev.companionbrain.core.search.backend.Retrieval;
import dev.companionbrain.core.search.backend.TextIndex;
import dev.companionbrain.core.search.backend.VectorIndex;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP search service: {@code /search} (GET and POST), {@code /documents/{id}},
 * {@code /health/live}, {@code /health/ready}, {@code /metrics}, {@code /openapi.json}.
 */
public final class QueryService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final QueryConfig config;
  private final RestClient elasticsearch;
  private final TextIndex text;
  private final RedisClient redisClient;
  private final SharedCache shared;
  private final IndexGeneration generation;
  private final QueryEmbeddings embeddings;
  private final LatencyReporter latency;
  private final HybridSearcher searcher;
  private final DocumentCache documents;
  private final SearchCache cache;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Readiness readiness;
  private final Javalin app;

  private QueryService(QueryConfig config, Ticker ticker) {
    this.config = config;
    this.elasticsearch = elasticsearchClient(config);
    this.text = new TextIndex(config.engines().meilisearchUrl(), config.engines().meilisearchKey(), config.index(), config.textTimeout(),
        config.maxBackendConnections());
    RedisURI redisUri = RedisURI.create(config.engines().redisUri());
    redisUri.setTimeout(Duration.ofMillis(200));
    this.redisClient = RedisClient.create(redisUri);
    redisClient.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(200)))
        .build());
    this.shared = new SharedCache(redisClient, Duration.ofMillis(200), config.l2Ttl());
    this.cache = new SearchCache(config.l1MaxBytes(), config.l1Ttl(), ticker, shared, registry);
    this.generation = new IndexGeneration(redisClient, shared, g -> cache.clearLocal());
    this.embeddings = new QueryEmbeddings(Embedder.miniLm());
    this.latency = new LatencyReporter(config.kafkaBootstrapServers(), config.latencyTopic(), registry);
    VectorDialect dialect = detectDialect(elasticsearch);
    Map<Retriever, Retrieval> retrievals = new EnumMap<>(Retriever.class);
    retrievals.put(Retriever.TEXT, text);
    retrievals.put(Retriever.KEYWORD, new KeywordIndex(elasticsearch, config.index()));
    retrievals.put(Retriever.VECTOR, new VectorIndex(elasticsearch, config.index(), dialect));
    Map<Retriever, Duration> timeouts = new EnumMap<>(Retriever.class);
    timeouts.put(Retriever.TEXT, config.textTimeout());
    timeouts.put(Retriever.KEYWORD, config.keywordTimeout());
    timeouts.put(Retriever.VECTOR, config.vectorTimeout());
    this.searcher = new HybridSearcher(retrievals, timeouts, embeddings, registry);
    this.documents = new DocumentCache(shared, elasticsearch, config.index());
    SearchHandler search = new SearchHandler(config.defaults(), cache, searcher, documents, generation, latency,
        new Admission(config.maxConcurrentSearches(), config.maxConcurrentSearchesPerClient()), config.clientIdHeader(),
        registry);
    Map<String, Readiness.Probe> probes = new LinkedHashMap<>();
    probes.put("elasticsearch", () -> {
      elasticsearch.performRequest(new Request("GET", "/_cluster/health"));
      return true;
    });
    probes.put("meilisearch", text::healthy);
    probes.put("redis", shared::ping);
    this.readiness = new Readiness(probes, searcher::breakers, generation::current, java.time.Clock.systemUTC());
    this.app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.startup.showOldJavalinVersionWarning = false;
      c.jetty.host = config.host();
      c.jetty.port = config.port();
      c.http.prefer405over404 = true; // a known path with another method (even an unknown one, BREW) is a 405
      // errors Jetty answers before a handler runs are JSON too
      c.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrors.ServerHandler()));
      c.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new JsonErrors.ContextHandler()));
      c.routes.get("/search", search::get);
      c.routes.post("/search", search::post);
      c.routes.get("/documents/{id}", this::document);
      c.routes.get("/health/live", ctx -> ctx.contentType("application/json").result("{\"status\":\"live\"}"));
      c.routes.get("/health/ready", this::ready);
      c.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
      c.routes.get("/openapi.json", QueryService::openApi);
      c.routes.exception(BadRequestException.class, (e, ctx) -> error(ctx, 400, e.code(), e.getMessage()));
      c.routes.exception(ApiException.class, (e, ctx) -> {
        if (e.status() == 429) {
          ctx.header("Retry-After", "1");
        }
        error(ctx, e.status(), e.code(), e.getMessage());
      });
      c.routes.exception(Exception.class, (e, ctx) -> {
        LOG.warn("{} {} failed: {}", ctx.method(), ctx.path(), e.toString());
        error(ctx, 500, "internal", "internal error");
      });
      c.routes.exception(io.javalin.http.HttpResponseException.class,
          (e, ctx) -> error(ctx, e.getStatus(), JsonErrors.codeOf(e.getStatus()), e.getMessage()));
      c.routes.error(404, ctx -> {
        if (ctx.result() == null) {
          error(ctx, 404, "not_found", "no such endpoint: " + ctx.method() + " " + ctx.path());
        }
      });
      c.routes.error(405, ctx -> {
        if (ctx.result() == null) {
          error(ctx, 405, "method_not_allowed", ctx.method() + " is not allowed on " + ctx.path());
        }
      });
      for (int status : new int[] {400, 408, 413, 414, 415, 431, 500, 501, 503}) {
        c.routes.error(status, ctx -> {
          if (ctx.result() == null) {
            error(ctx, status, JsonErrors.codeOf(status), null);
          }
        });
      }
    });
  }

  /** Starts the service; port 0 picks a free port (see {@link #port()}). */
  public static QueryService start(QueryConfig config) {
    return start(config, Ticker.systemTicker());
  }

  /** Starts with an injected clock for the L1 cache's expiry (tests advance it instead of sleeping). */
  public static QueryService start(QueryConfig config, Ticker ticker) {
    QueryService service = new QueryService(config, ticker);
    service.app.start();
    LOG.info("query service on http://{}:{} ({})", config.host(), service.port(), config.withPort(service.port()));
    return service;
  }

  public static void main(String[] args) throws InterruptedException {
    QueryConfig config;
    try {
      config = QueryConfig.from(Settings.fromEnvironment());
    } catch (IllegalArgumentException badSetting) {
      System.err.println("query service: " + badSetting.getMessage()); // one line naming the setting, no stack trace
      System.exit(2);
      return;
    }
    QueryService service = start(config);
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      done.countDown();
    }));
    done.await();
  }

  public int port() {
    return app.port();
  }

  public String url() {
    return "http://" + config.host() + ":" + port();
  }

  private void document(Context ctx) {
    String id = ctx.pathParam("id");
    if (!DocumentIds.isValid(id)) {
      throw new BadRequestException("invalid_id", "a document id is 1-511 bytes of A-Z a-z 0-9 - _");
    }
    HydrationEntry f = documents.get(List.of(id)).get(id);
    if (f == null) {
      throw ApiException.notFound("no document " + id);
    }
    json(ctx, 200, f);
  }

  private void ready(Context ctx) {
    Readiness.Report report = readiness.check();
    json(ctx, report.status(), report.body());
  }

  private static void openApi(Context ctx) throws java.io.IOException {
    try (InputStream in = QueryService.class.getResourceAsStream("/openapi.json")) {
      ctx.contentType("application/json").result(in.readAllBytes());
    }
  }

  static void error(Context ctx, int status, String code, String message) {
    ctx.status(status).contentType("application/json").result(JsonErrors.body(code, message));
  }

  private static void json(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
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

  static RestClient elasticsearchClient(QueryConfig config) {
    return ElasticsearchClients.builder(config.engines(), config.maxBackendConnections())
        .setRequestConfigCallback(r -> r.setConnectTimeout(1000).setSocketTimeout(5000).setConnectionRequestTimeout(1000))
        .build();
  }

  @Override
  public void close() {
    app.stop();
    latency.close();
    generation.close();
    embeddings.close();
    shared.close();
    redisClient.shutdown();
    for (java.io.Closeable client : List.<java.io.Closeable>of(elasticsearch, text)) {
      try {
        client.close();
      } catch (java.io.IOException ignored) {
        // closing anyway
      }
    }
  }
}
