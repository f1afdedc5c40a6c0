package dev.companionbrain.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.companionbrain.core.auth.ApiKey;
import dev.companionbrain.core.auth.Scope;
import dev.companionbrain.core.cache.HydrationEntry;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.core.document.DocumentIds;
import dev.companionbrain.core.search.BadRequestException;
import dev.companionbrain.core.search.Retriever;
import dev.companionbrain.core.search.backend.Retrieval;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP search service: {@code /search} (GET and POST), {@code /multi-search}, {@code /search/stream},
 * {@code /documents/{id}}, {@code /health/live}, {@code /health/ready}, {@code /metrics}, {@code /status},
 * {@code /judgements}, {@code /openapi.json} and the workbench's page {@code /ui}.
 */
public final class QueryService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Everything the service talks to or depends on for time: {@link Wiring#fromConfig} builds them
   * from configuration (the one composition root), tests build them by hand (retrievals as functions,
   * an in-memory shared level, a clock they move).
   *
   * @param retrievals each retriever's search
   * @param served the version of the index the retrievals search and the embedder of its model
     ({@link ServedIndex#fixed} for one embedder over the names that serve)
   * @param sharedWindows the shared cache level (Redis)
   * @param displayFields the display fields of the ids it has
   * @param probes the readiness checks of the engines
   * @param latencyProducer where the latency events go (topic {@link QueryConfig#latencyTopic})
   * @param warmRequests the warming job's requests, or null to compute none (see {@link WarmConsumer})
   * @param generations the index generations, fed by a {@link GenerationListener} (or by a test)
   * @param clock epoch milliseconds (staleness)
   * @param ticker nanoseconds for the L1 expiry
   * @param registry the metrics {@code /metrics} shows
   * @param apiKeys the key with a SHA-256, from the key store ({@link ApiKeyStore#find}); throws when the store cannot answer
   * @param suggestions the corrections of a query's words the index does not contain (the engine's
   *     term suggester, {@link dev.companionbrain.core.search.backend.VocabularySuggestions})
   * @param resources closed by {@link #close()}, in this order, after the service's own threads
   */
  record Collaborators(
      Map<Retriever, Retrieval> retrievals,
      ServedIndex served,
      WindowCache.SharedWindows sharedWindows,
      Function<List<String>, Map<String, HydrationEntry>> displayFields,
      Map<String, Readiness.Probe> probes,
      Producer<String, byte[]> latencyProducer,
      Function<WindowCache, AutoCloseable> warmRequests,
      GenerationClock generations,
      LongSupplier clock,
      Ticker ticker,
      PrometheusMeterRegistry registry,
      Function<String, java.util.Optional<ApiKey>> apiKeys,
      Function<String, java.util.concurrent.CompletableFuture<List<dev.companionbrain.core.search.backend.VocabularySuggestions.Suggestion>>> suggestions,
      List<AutoCloseable> resources) {}

  private final QueryConfig config;
  private final Collaborators parts;
  private final QueryEmbeddings embeddings;
  private final LatencyReporter latency;
  private final ThreadPoolExecutor refresher;
  private final ThreadPoolExecutor judge;
  private final ThreadPoolExecutor auditor;
  private final ThreadPoolExecutor lanes;
  private final KeyCheck keys;
  private final AutoCloseable warming;
  private final PrometheusMeterRegistry registry;
  private final Readiness readiness;
  private final Judgements judgements;
  private final Javalin app;

  QueryService(QueryConfig config, Collaborators parts) {
    this.config = config;
    this.parts = parts;
    this.registry = parts.registry();
    this.embeddings = new QueryEmbeddings(registry);
    this.latency = new LatencyReporter(parts.latencyProducer(), config.latencyTopic(), registry);
    Map<Retriever, Duration> timeouts = new EnumMap<>(Retriever.class);
    timeouts.put(Retriever.TEXT, config.textTimeout());
    timeouts.put(Retriever.KEYWORD, config.keywordTimeout());
    timeouts.put(Retriever.VECTOR, config.vectorTimeout());
    HybridSearcher searcher = new HybridSearcher(parts.retrievals(), timeouts, embeddings, parts.served(), config.windowReserve(),
        registry);
    // background refreshes of stale windows: a few at a time; past that a window is refreshed by
    // the first request after the staleness bound instead
    this.refresher = new ThreadPoolExecutor(2, 2, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(256), r -> {
      Thread t = new Thread(r, "window-refresh");
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.AbortPolicy());
    // judging each new generation's changes against the cached windows: one thread, generations coalesce
    this.judge = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(4), r -> {
      Thread t = new Thread(r, "cache-judge");
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.DiscardPolicy());
    // audits of cached answers: one at a time, the rest skipped
    this.auditor = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(2), r -> {
      Thread t = new Thread(r, "cache-audit");
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.AbortPolicy());
    WindowComputation computation = new WindowComputation(searcher, parts.displayFields(), registry);
    ComputeLimit computations = config.fixedComputeLimit().isPresent()
        ? ComputeLimit.fixed(config.fixedComputeLimit().getAsInt(), registry)
        : ComputeLimit.adaptive(config.maxConcurrentSearches(), System::nanoTime, registry);
    // an audit is background work: at half the limit it is skipped
    WindowCache.WindowSearch audited = (query, generation, fresh) -> computations.run(ComputeLimit.Priority.BACKGROUND,
        () -> computation.compute(query, generation, fresh)).orElseThrow(() -> new IllegalStateException("saturated"));
    Duration judgingTimeout = Duration.ofSeconds(10);
    WindowCache.Judging judging = config.judging()
        ? new WindowCache.Judging((queries, ids) -> searcher.among(queries, ids, judgingTimeout), parts.displayFields(), judge)
        : null;
    CacheAudit audit = config.auditRate() > 0
        ? new CacheAudit(config.auditRate(), config.auditsPerSecond(), () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble(),
            parts.generations()::current, parts.generations()::changes, parts.clock(), audited, auditor, registry)
        : null;
    if (audit != null) {
      parts.generations().onNewGeneration(audit::settle);
    }
    WindowCache cache = new WindowCache(config.l1MaxBytes(), config.l1Ttl(), parts.ticker(), parts.sharedWindows(),
        parts.generations(), parts.clock(), config.maxStaleMillis(),
        new WindowCache.Saturation(computations, config.saturatedMaxStaleMillis()), computation, refresher, judging, audit, registry);
    this.warming = parts.warmRequests() == null ? null : parts.warmRequests().apply(cache);
    // a multi-search's searches beyond its request's own thread; never more than the searches the service admits
    this.lanes = new ThreadPoolExecutor(0, config.maxConcurrentSearches(), 30, TimeUnit.SECONDS,
        new java.util.concurrent.SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "multi-search");
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    this.keys = new KeyCheck(config.apiKeysRequired(), parts.apiKeys(), parts.ticker(), parts.clock());
    RecentAnswers recent = new RecentAnswers(parts.clock());
    SearchHandler search = new SearchHandler(config.defaults(), config.windowHits(), cache, latency,
        new Admission(config.maxConcurrentSearches(), config.maxConcurrentSearchesPerClient()),
        config.maxConcurrentSearchesPerClient(), config.multiSearchMax(), lanes, registry, recent,
        config.queryCorrection() ? new QueryCorrector(parts.suggestions(), config.keywordTimeout(), parts.ticker(), registry) : null);
    StreamHandler stream = new StreamHandler(config.defaults(), parts.retrievals().get(Retriever.KEYWORD), registry);
    this.readiness = new Readiness(parts.probes(), searcher::breakers, parts.generations()::current, java.time.Clock.systemUTC());
    StatusHandler statusView = new StatusHandler(readiness, parts.generations(), recent, parts.clock());
    this.judgements = config.judgements().map(Judgements::read).orElse(null);
    this.app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.startup.showOldJavalinVersionWarning = false;
      c.jetty.host = config.host();
      c.jetty.port = config.port();
      c.http.prefer405over404 = true; // a known path with another method (even an unknown one, BREW) is a 405
      // errors Jetty answers before a handler runs are JSON too
      c.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrors.ServerHandler()));
      c.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new JsonErrors.ContextHandler()));
      c.routes.get("/search", guarded(Scope.SEARCH, search::get));
      c.routes.post("/search", guarded(Scope.SEARCH, search::post));
      c.routes.post("/multi-search", guarded(Scope.SEARCH, search::multiSearch));
      c.routes.get("/search/stream", guarded(Scope.SEARCH, stream::get));
      c.routes.get("/documents/{id}", guarded(Scope.DOCUMENTS, this::document));
      c.routes.get("/health/live", ctx -> ctx.contentType("application/json").result("{\"status\":\"live\"}"));
      // readiness and the API's description say nothing of the documents: a probe and a client need no key
      c.routes.get("/health/ready", this::ready);
      c.routes.get("/metrics", guarded(Scope.METRICS,
          ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape())));
      c.routes.get("/openapi.json", QueryService::openApi);
      // the workbench's page holds no data: it asks for a key and sends it with every request
      c.routes.get("/ui", ctx -> Workbench.page(ctx, "index.html"));
      c.routes.get("/ui/{file}", ctx -> Workbench.page(ctx, ctx.pathParam("file")));
      c.routes.get("/status", guarded(Scope.METRICS, ctx -> json(ctx, 200, statusView.body())));
      c.routes.get("/judgements", guarded(Scope.SEARCH, ctx -> json(ctx, 200, judgements(ctx).listing())));
      c.routes.get("/judgements/score", guarded(Scope.SEARCH,
          ctx -> json(ctx, 200, judgements(ctx).score(ctx.queryParam("query_id"), ctx.queryParam("ids")))));
      c.routes.exception(BadRequestException.class, (e, ctx) -> error(ctx, 400, e.code(), e.getMessage()));
      c.routes.exception(ApiException.class, (e, ctx) -> {
        if (e.status() == 429) {
          ctx.header("Retry-After", "1");
        } else if (e.status() == 401) {
          ctx.header("WWW-Authenticate", "Bearer realm=\"companion-brain\"");
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
    return start(config, Wiring.fromConfig(config, ticker, System::currentTimeMillis));
  }

  /** Starts with the collaborators given (tests: injected time, retrievals and stores). */
  static QueryService start(QueryConfig config, Collaborators parts) {
    QueryService service;
    try {
      service = new QueryService(config, parts);
    } catch (RuntimeException e) {
      closeAll(parts.resources());
      throw e;
    }
    service.warmUp();
    service.app.start();
    LOG.info("query service on http://{}:{} ({})", config.host(), service.port(), config.withPort(service.port()));
    return service;
  }

  /** The text of the searches {@link #warmUp} sends. */
  static final String WARM_UP_QUERY = "companion brain warm up";
  /** The longest a start waits for the warm-up. */
  private static final Duration WARM_UP_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Before the port opens: one query embedding (it loads the model's session, the better part of a
   * second) and one search on each engine (their connections, and the code on the way), so that the
   * first users' searches are not the ones that time out. Straight to the engines, never through the
   * breakers or the cache; a failure (an engine down, an index not made yet) only shows in the log
   * line, and the start waits at most {@link #WARM_UP_TIMEOUT}.
   */
  private void warmUp() {
    long began = System.nanoTime();
    List<String> failed = new java.util.ArrayList<>();
    float[] vector = null;
    ServedIndex.Version version = parts.served().current();
    try {
      vector = embeddings.embed(version.embedder(), WARM_UP_QUERY, true).get(WARM_UP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      failed.add("embedding");
    }
    Map<Retriever, java.util.concurrent.CompletableFuture<?>> searches = new EnumMap<>(Retriever.class);
    for (Map.Entry<Retriever, Retrieval> r : parts.retrievals().entrySet()) {
      if (r.getKey() == Retriever.VECTOR && vector == null) {
        continue;
      }
      try {
        searches.put(r.getKey(), r.getValue().in(version.version()).search(new dev.companionbrain.core.search.backend.RetrievalRequest(
            WARM_UP_QUERY, r.getKey() == Retriever.VECTOR ? vector : null, List.of(), 10, null)));
      } catch (RuntimeException e) {
        failed.add(r.getKey().wireName());
      }
    }
    long deadline = began + WARM_UP_TIMEOUT.toNanos();
    searches.forEach((retriever, search) -> {
      try {
        search.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        failed.add(retriever.wireName());
      }
    });
    LOG.info("warmed up in {} ms{}", (System.nanoTime() - began) / 1_000_000,
        failed.isEmpty() ? "" : " (no answer from: " + String.join(", ", failed) + ")");
  }

  public static void main(String[] args) throws InterruptedException {
    QueryConfig config;
    QueryService service;
    try {
      config = QueryConfig.from(Settings.fromEnvironment());
      service = start(config);
    } catch (IllegalArgumentException | IllegalStateException badSetting) {
      // one line naming the setting (or the index whose model differs), no stack trace
      System.err.println("query service: " + badSetting.getMessage());
      System.exit(2);
      return;
    }
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

  /** The route's handler, run only for a caller {@link KeyCheck} lets in with {@code scope}. */
  private io.javalin.http.Handler guarded(Scope scope, io.javalin.http.Handler handler) {
    return ctx -> {
      ctx.attribute(SearchHandler.CALLER, keys.check(ctx.header("Authorization"), ctx.req().getRemoteAddr(), scope));
      handler.handle(ctx);
    };
  }

  private void document(Context ctx) {
    String id = ctx.pathParam("id");
    if (!DocumentIds.isValid(id)) {
      throw new BadRequestException("invalid_id", "a document id is 1-511 bytes of A-Z a-z 0-9 - _");
    }
    HydrationEntry f = parts.displayFields().apply(List.of(id)).get(id);
    KeyCheck.Caller caller = ctx.attribute(SearchHandler.CALLER);
    List<String> tenant = caller.tenantTags();
    // another tenant's document is answered as if there were none: its existence is not the caller's to know
    if (f == null || (tenant != null && f.tags().stream().noneMatch(tenant::contains))) {
      throw ApiException.notFound("no document " + id);
    }
    json(ctx, 200, f);
  }

  /** The judgements, for a caller that may see every document they name. */
  private Judgements judgements(Context ctx) {
    if (judgements == null) {
      throw new ApiException(404, "no_judgements", "no judgements loaded: the service runs without " + dev.companionbrain.core.config.Setting.JUDGEMENTS.variable());
    }
    KeyCheck.Caller caller = ctx.attribute(SearchHandler.CALLER);
    if (caller.tenantTags() != null) {
      throw new ApiException(403, "tenant_not_allowed", "the judgements name every document of the collection: not for a tenant's key");
    }
    return judgements;
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

  @Override
  public void close() {
    app.stop();
    if (warming != null) {
      closeAll(List.of(warming));
    }
    refresher.shutdownNow();
    judge.shutdownNow();
    auditor.shutdownNow();
    lanes.shutdownNow();
    latency.close();
    embeddings.close();
    closeAll(parts.resources());
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        LOG.debug("closing {}: {}", resource, e.toString()); // closing anyway
      }
    }
  }
}
