package dev.companionbrain.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.companionbrain.core.search.BadRequestException;
import dev.companionbrain.core.search.SearchDefaults;
import dev.companionbrain.core.search.SearchQuery;
import dev.companionbrain.core.search.WindowQuery;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code GET /search} and {@code POST /search}: validate, limit concurrency, answer from the window cache, cut the page, report. */
final class SearchHandler {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final SearchDefaults defaults;
  private final int windowHits;
  private final WindowCache cache;
  private final LatencyReporter latency;
  private final Admission admission;
  private final String clientIdHeader;
  private final MeterRegistry registry;

  /**
   * @param windowHits the hits of a cached window ({@link SearchQuery#window})
   * @param clientIdHeader the header that names the client for its concurrency share (set by a
   *     gateway, e.g. an API key id), or null to tell clients apart by remote address
   */
  SearchHandler(SearchDefaults defaults, int windowHits, WindowCache cache, LatencyReporter latency, Admission admission,
      String clientIdHeader, MeterRegistry registry) {
    this.defaults = defaults;
    this.windowHits = windowHits;
    this.cache = cache;
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
    WindowQuery window = null;
    long staleMillis = 0;
    String admitted = null;
    try {
      SearchQuery query = SearchQuery.fromParams(param, defaults);
      mode = query.mode().wireName();
      admitted = admission.admit(client(ctx));
      window = query.window(windowHits);
      String cacheControl = ctx.header("Cache-Control");
      boolean bypass = cacheControl != null && cacheControl.toLowerCase(java.util.Locale.ROOT).contains("no-cache");
      WindowCache.Answer answer = bypass ? cache.bypass(window) : cache.get(window);
      level = answer.source().name().toLowerCase(java.util.Locale.ROOT);
      staleMillis = answer.staleMillis();
      CandidateWindow cached = answer.window();
      backends = answer.source() == WindowCache.Source.MISS || answer.source() == WindowCache.Source.BYPASS
          ? cached.backendMillis() : Map.of();
      double tookMs = (System.nanoTime() - began) / 1e6;
      // the hits are the bytes cached with the window; only the envelope is written per request
      ByteArrayOutputStream body = new ByteArrayOutputStream(1024);
      body.writeBytes(("{\"query\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(query.q()))
          + "\",\"mode\":\"" + mode + "\",\"k\":" + query.k() + ",\"offset\":" + query.offset()
          + ",\"total\":" + cached.hits().size() + ",\"hits\":[").getBytes(StandardCharsets.UTF_8));
      int from = cached.pageFrom(query.offset());
      int to = cached.pageTo(query.offset(), query.k());
      for (int i = from; i < to; i++) {
        if (i > from) {
          body.write(',');
        }
        body.writeBytes(query.explain() ? JSON.writeValueAsBytes(cached.hits().get(i)) : answer.hitJson()[i]);
      }
      String tail = Decimals.append(new StringBuilder("],\"took_ms\":"), tookMs, 2) + ",\"cache\":\"" + level
          + "\",\"generation\":" + cached.generation() + ",\"stale_ms\":" + staleMillis + ",\"degraded\":"
          + (cached.degraded().isEmpty() ? "[]" : JSON.writeValueAsString(cached.degraded()))
          + (query.explain() ? ",\"backend_ms\":" + JSON.writeValueAsString(cached.backendMillis()) : "") + "}";
      body.writeBytes(tail.getBytes(StandardCharsets.UTF_8));
      status = 200;
      ctx.contentType("application/json").result(body.toByteArray());
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
      latency.report("search", mode, level, status, nanos / 1e6, backends, status == 200 ? window : null, staleMillis);
    }
  }

  private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

  private Timer timer(String mode, int status) {
    return timers.computeIfAbsent(mode + ":" + status, k -> Timer.builder("brain_request_latency")
        .tag("endpoint", "search").tag("mode", mode).tag("status", Integer.toString(status))
        .publishPercentileHistogram().register(registry));
  }
}
