package dev.companionbrain.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.cache.HydrationEntry;
import dev.companionbrain.core.search.BadRequestException;
import dev.companionbrain.core.search.Contribution;
import dev.companionbrain.core.search.FusedHit;
import dev.companionbrain.core.search.Retriever;
import dev.companionbrain.core.search.SearchDefaults;
import dev.companionbrain.core.search.SearchQuery;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code GET /search} and {@code POST /search}: validate, limit concurrency, cache, search, hydrate, report. */
final class SearchHandler {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final SearchDefaults defaults;
  private final SearchCache cache;
  private final HybridSearcher searcher;
  private final DocumentCache documents;
  private final IndexGeneration generation;
  private final LatencyReporter latency;
  private final Admission admission;
  private final String clientIdHeader;
  private final MeterRegistry registry;

  /**
   * @param clientIdHeader the header that names the client for its concurrency share (set by a
   *     gateway, e.g. an API key id), or null to tell clients apart by remote address
   */
  SearchHandler(SearchDefaults defaults, SearchCache cache, HybridSearcher searcher, DocumentCache documents,
      IndexGeneration generation, LatencyReporter latency, Admission admission, String clientIdHeader,
      MeterRegistry registry) {
    this.defaults = defaults;
    this.cache = cache;
    this.searcher = searcher;
    this.documents = documents;
    this.generation = generation;
    this.latency = latency;
    this.admission = admission;
    this.clientIdHeader = clientIdHeader;
    this.registry = registry;
  }

  /** Who is asking: the configured header when the request has it, else the remote address (never a forwarded-for header). */
  private String client(Context ctx) {
    if (clientIdHeader != null) {
      String id = ctx.header(clientIdHeader);
      if (id != null && !id.isBlank()) {
        return "id:" + (id.length() > 128 ? id.substring(0, 128) : id);
      }
    }
    return "ip:" + ctx.req().getRemoteAddr();
  }

  void get(Context ctx) {
    handle(ctx, ctx::queryParam);
  }

  void post(Context ctx) {
    JsonNode body;
    try {
      body = JSON.readTree(ctx.bodyAsBytes());
    } catch (Exception e) {
      throw new BadRequestException("invalid_json", "the request body is not valid JSON");
    }
    if (body == null || !body.isObject()) {
      throw new BadRequestException("invalid_json", "the request body must be a JSON object");
    }
    Map<String, String> params = new HashMap<>();
    body.fields().forEachRemaining(e -> params.put(e.getKey(), asParam(e.getKey(), e.getValue())));
    handle(ctx, params::get);
  }

  /** JSON values as the query-string form: arrays joined by commas, weight objects as "name:w". */
  private static String asParam(String name, JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isArray()) {
      List<String> parts = new ArrayList<>();
      v.forEach(x -> parts.add(x.asText()));
      return String.join(",", parts);
    }
    if (v.isObject()) {
      List<String> parts = new ArrayList<>();
      v.fields().forEachRemaining(e -> parts.add(e.getKey() + ":" + e.getValue().asText()));
      return String.join(",", parts);
    }
    return v.asText();
  }

  private void handle(Context ctx, java.util.function.Function<String, String> param) {
    long began = System.nanoTime();
    String mode = "unknown";
    String level = "none";
    int status = 500;
    Map<String, Long> backends = Map.of();
    String admitted = null;
    try {
      SearchQuery query = SearchQuery.fromParams(param, defaults);
      mode = query.mode().wireName();
      admitted = admission.admit(client(ctx));
      long gen = generation.current();
      String cacheControl = ctx.header("Cache-Control");
      boolean bypass = cacheControl != null && cacheControl.toLowerCase(java.util.Locale.ROOT).contains("no-cache");
      SearchCache.Lookup lookup = bypass
          ? bypass(compute(query, gen, true))
          : cache.get(query.canonicalForm(gen), () -> compute(query, gen, false));
      level = lookup.level().name().toLowerCase(java.util.Locale.ROOT);
      backends = lookup.level() == SearchCache.Level.MISS || lookup.level() == SearchCache.Level.BYPASS
          ? lookup.page().backendMillis() : Map.of();
      double tookMs = (System.nanoTime() - began) / 1e6;
      // the hits are spliced in as the bytes cached with the page; only the envelope is written per request
      StringBuilder head = new StringBuilder(128).append("{\"query\":\"")
          .append(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(query.q())).append('"')
          .append(",\"mode\":\"").append(mode).append("\",\"k\":").append(query.k())
          .append(",\"offset\":").append(query.offset()).append(",\"hits\":");
      String tail = Decimals.append(new StringBuilder(",\"took_ms\":"), tookMs, 2) + ",\"cache\":\"" + level
          + "\",\"generation\":" + lookup.page().generation() + ",\"degraded\":"
          + (lookup.page().degraded().isEmpty() ? "[]" : JSON.writeValueAsString(lookup.page().degraded()))
          + (query.explain() ? ",\"backend_ms\":" + JSON.writeValueAsString(lookup.page().backendMillis()) : "") + "}";
      byte[] headBytes = head.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] tailBytes = tail.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] body = new byte[headBytes.length + lookup.hitsJson().length + tailBytes.length];
      System.arraycopy(headBytes, 0, body, 0, headBytes.length);
      System.arraycopy(lookup.hitsJson(), 0, body, headBytes.length, lookup.hitsJson().length);
      System.arraycopy(tailBytes, 0, body, headBytes.length + lookup.hitsJson().length, tailBytes.length);
      status = 200;
      ctx.contentType("application/json").result(body);
    } catch (BadRequestException e) {
      status = 400;
      throw e;
    } catch (ApiException e) {
      status = e.status();
      throw e;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      if (admitted != null) {
        admission.release(admitted);
      }
      long nanos = System.nanoTime() - began;
      timer(mode, status).record(nanos, TimeUnit.NANOSECONDS);
      latency.report("search", mode, level, status, nanos / 1e6, backends);
    }
  }

  private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

  private Timer timer(String mode, int status) {
    return timers.computeIfAbsent(mode + ":" + status, k -> Timer.builder("brain_request_latency")
        .tag("endpoint", "search").tag("mode", mode).tag("status", Integer.toString(status))
        .publishPercentileHistogram().register(registry));
  }

  private static SearchCache.Lookup bypass(SearchPage page) {
    return new SearchCache.Lookup(page, SearchCache.hitsJson(page), SearchCache.Level.BYPASS);
  }

  private SearchPage compute(SearchQuery query, long gen, boolean bypassCache) {
    HybridSearcher.Outcome outcome = searcher.search(query, bypassCache);
    List<String> ids = outcome.page().stream().map(FusedHit::id).toList();
    Map<String, HydrationEntry> fields = documents.get(ids);
    List<PageHit> hits = new ArrayList<>(ids.size());
    for (FusedHit hit : outcome.page()) {
      HydrationEntry f = fields.get(hit.id());
      Map<String, PageHit.RetrieverPart> explain = null;
      if (query.explain()) {
        explain = new LinkedHashMap<>();
        for (Map.Entry<Retriever, Contribution> c : hit.contributions().entrySet()) {
          explain.put(c.getKey().wireName(),
              new PageHit.RetrieverPart(c.getValue().rank(), c.getValue().rawScore(), c.getValue().normalizedScore()));
        }
      }
      hits.add(f == null
          ? new PageHit(hit.id(), hit.score(), null, null, null, null, null, explain)
          : new PageHit(hit.id(), hit.score(), f.title(), f.url(), f.tags(), f.updatedAt(), f.snippet(), explain));
    }
    return new SearchPage(hits, gen, outcome.degraded(), outcome.backendMillis());
  }
}
