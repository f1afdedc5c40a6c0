package dev.companionbrain.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.companionbrain.core.search.BadRequestException;
import dev.companionbrain.core.search.SearchDefaults;
import dev.companionbrain.core.search.SearchQuery;
import dev.companionbrain.core.search.WindowQuery;
import dev.companionbrain.core.telemetry.LatencyEvent;
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

/**
 * {@code GET /search}, {@code POST /search} and {@code POST /multi-search}: validate, apply the
 * caller's tenant, limit concurrency to the caller's share, answer from the window cache, cut the
 * page, report.
 */
final class SearchHandler {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * The most searches of one multi-search that run at once (within the caller's share): each is one
   * core's worth of work, so more only queue behind each other while they hold the share.
   */
  static final int MULTI_SEARCH_LANES = 4;
  /** The request attribute holding the {@link KeyCheck.Caller} the route's guard let in. */
  static final String CALLER = "brain.caller";
  private final SearchDefaults defaults;
  private final int windowHits;
  private final WindowCache cache;
  private final LatencyReporter latency;
  private final Admission admission;
  private final int perClient;
  private final int multiSearchMax;
  private final java.util.concurrent.Executor lanes;
  private final MeterRegistry registry;
  private final RecentAnswers recent;
  private final QueryCorrector corrector;

  /**
   * @param windowHits the hits of a cached window ({@link SearchQuery#window})
   * @param perClient a caller's share of searches at once when its key names none
   * @param multiSearchMax the most searches one multi-search holds
   * @param lanes runs a multi-search's searches beside the request's own thread
   * @param recent counts every search for {@code GET /status}
   * @param corrector corrects a query's typos from the index's vocabulary; null when corrections are off
   */
  SearchHandler(SearchDefaults defaults, int windowHits, WindowCache cache, LatencyReporter latency, Admission admission,
      int perClient, int multiSearchMax, java.util.concurrent.Executor lanes, MeterRegistry registry, RecentAnswers recent,
      QueryCorrector corrector) {
    this.defaults = defaults;
    this.windowHits = windowHits;
    this.cache = cache;
    this.latency = latency;
    this.admission = admission;
    this.perClient = perClient;
    this.multiSearchMax = multiSearchMax;
    this.lanes = lanes;
    this.registry = registry;
    this.recent = recent;
    this.corrector = corrector;
  }

  void get(Context ctx) {
    KeyCheck.Caller caller = ctx.attribute(CALLER);
    send(ctx, search(caller, ctx::queryParam, bypass(ctx), true, false, this::published).bytes());
  }

  void post(Context ctx) {
    KeyCheck.Caller caller = ctx.attribute(CALLER);
    JsonNode body = jsonObject(ctx);
    send(ctx, search(caller, paramsOf(body)::get, bypass(ctx), true, false, this::published).bytes());
  }

  /**
   * Writes an answer's JSON straight into the response's stream (Javalin's, which compresses for a
   * client that asks): {@code ctx.result(bytes)} would copy it through a buffer of the response's size,
   * 32 KB allocated per request (5 % of a cached run's samples, BENCHMARKS.md).
   */
  static void send(Context ctx, byte[] json) {
    ctx.contentType("application/json");
    try {
      ctx.outputStream().write(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e); // the client went away
    }
  }

  /**
   * {@code POST /multi-search}: {@code {"queries":[{...}, ...]}}, each the body of a {@code POST
   * /search}. Answered 200 with one result per query, in order: a 200 result is that search's answer
   * with {@code "status":200}; any other is {@code {"status":..,"error":{code,message}}}. The searches
   * run at once, up to {@link #MULTI_SEARCH_LANES} and as many as the caller's share has free (at
   * least one, else the whole request is 429).
   */
  void multiSearch(Context ctx) {
    long began = System.nanoTime();
    int status = 500;
    Outcome[] outcomes = null;
    try {
      KeyCheck.Caller caller = ctx.attribute(CALLER);
      JsonNode body = jsonObject(ctx);
      JsonNode queries = body.get("queries");
      if (queries == null || !queries.isArray() || queries.isEmpty() || queries.size() > multiSearchMax) {
        throw new BadRequestException("invalid_multi_search",
            "a multi-search is {\"queries\":[...]} with 1 to " + multiSearchMax + " searches");
      }
      outcomes = new Outcome[queries.size()];
      AnswerBytes[] results = answers(caller, queries, bypass(ctx), outcomes);
      byte[] head = "{\"results\":[".getBytes(StandardCharsets.UTF_8);
      byte[] tail = (Decimals.append(new StringBuilder("],\"took_ms\":"), (System.nanoTime() - began) / 1e6, 2) + "}")
          .getBytes(StandardCharsets.UTF_8);
      int length = head.length + tail.length + results.length - 1;
      for (AnswerBytes result : results) {
        length += result.length();
      }
      // every answer's parts (a page's hits are the window's cached bytes) copied once, into the response
      byte[] answer = new byte[length];
      System.arraycopy(head, 0, answer, 0, head.length);
      int at = head.length;
      for (int i = 0; i < results.length; i++) {
        if (i > 0) {
          answer[at++] = ',';
        }
        at = results[i].copyTo(answer, at);
      }
      System.arraycopy(tail, 0, answer, at, tail.length);
      send(ctx, answer);
      status = 200;
    } catch (RuntimeException e) {
      status = statusOf(e);
      throw e;
    } finally {
      latency.report(multiSearchEvent(status, (System.nanoTime() - began) / 1e6, System.currentTimeMillis(),
          outcomes == null ? List.of() : java.util.Arrays.asList(outcomes)));
    }
  }

  /**
   * A multi-search's answers, in order: the searches L1 holds answered on this thread, the others
   * (and every invalid one) on as many lanes as the caller's share has free now, up to {@link
   * #MULTI_SEARCH_LANES}: they then run without asking again. Each search's outcome goes to its slot
   * of {@code outcomes}.
   *
   * @throws ApiException.TooManyRequests when the share has no permit free
   */
  private AnswerBytes[] answers(KeyCheck.Caller caller, JsonNode queries, boolean bypass, Outcome[] outcomes) {
    int n = queries.size();
    AnswerBytes[] results = new AnswerBytes[n];
    int share = caller.share(perClient);
    List<String> held = new ArrayList<>();
    try {
      for (int i = 0; i < Math.min(n, Math.min(share, MULTI_SEARCH_LANES)); i++) {
        try {
          held.add(admission.admit(caller.client(), share));
        } catch (ApiException.TooManyRequests refused) {
          if (held.isEmpty()) {
            throw refused;
          }
          break;
        }
      }
      int[] rest = new int[n];
      int left = 0;
      for (int i = 0; i < n; i++) {
        int slot = i;
        results[i] = bypass ? null : fromL1(caller, queries.get(i), o -> outcomes[slot] = o);
        if (results[i] == null) {
          rest[left++] = i;
        }
      }
      int remaining = left;
      java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
      Runnable lane = () -> {
        for (int j = next.getAndIncrement(); j < remaining; j = next.getAndIncrement()) {
          int slot = rest[j];
          results[slot] = item(caller, queries.get(slot), bypass, o -> outcomes[slot] = o);
        }
      };
      List<java.util.concurrent.CompletableFuture<Void>> others = new ArrayList<>();
      for (int l = 1; l < Math.min(held.size(), remaining); l++) {
        try {
          others.add(java.util.concurrent.CompletableFuture.runAsync(lane, lanes));
        } catch (java.util.concurrent.RejectedExecutionException busy) {
          break; // fewer lanes: this thread's lane takes the rest
        }
      }
      lane.run();
      others.forEach(java.util.concurrent.CompletableFuture::join);
      return results;
    } finally {
      held.forEach(admission::release);
    }
  }

  /**
   * A multi-search's one latency event ({@link LatencyEvent}): the mode and cache level its searches
   * share, else {@code mixed} ({@code unknown} and {@code none} when none was read); each retriever's
   * longest time; the windows of its successful searches, in order; the stalest answer's {@code
   * stale_ms}.
   *
   * @param outcomes each search's, null where the item was no search at all (not a JSON object)
   */
  static LatencyEvent multiSearchEvent(int status, double tookMs, long timestamp, List<Outcome> outcomes) {
    String mode = null;
    String level = null;
    Map<String, Long> backends = new java.util.TreeMap<>();
    List<WindowQuery> windows = new ArrayList<>();
    long stale = 0;
    for (Outcome o : outcomes) {
      if (o == null) {
        continue;
      }
      mode = mode == null || mode.equals(o.mode()) ? o.mode() : MIXED;
      level = level == null || level.equals(o.level()) ? o.level() : MIXED;
      o.backends().forEach((retriever, ms) -> {
        if (ms != null) {
          backends.merge(retriever, ms, Math::max);
        }
      });
      if (o.status() == 200 && o.window() != null) {
        windows.add(o.window());
      }
      stale = Math.max(stale, o.staleMillis());
    }
    return new LatencyEvent("multi-search", mode == null ? "unknown" : mode, level == null ? "none" : level, status, tookMs,
        backends, timestamp, null, windows, stale);
  }

  /** The status a request failing with {@code e} is answered with (as the service's exception mapping answers it). */
  static int statusOf(RuntimeException e) {
    return e instanceof BadRequestException ? 400 : e instanceof ApiException api ? api.status() : 500;
  }

  /** A multi-search's mode or cache level when its searches differ in it. */
  static final String MIXED = "mixed";

  /**
   * What one search says of itself: its timer's and {@code /status}'s figures, and its latency
   * event's, published alone ({@link #published}) or gathered into its multi-search's one event.
   */
  record Outcome(String mode, String level, int status, double tookMs, Map<String, Long> backends, WindowQuery window,
      long staleMillis) {}

  /** A search's own latency event. */
  private void published(Outcome o) {
    latency.report(new LatencyEvent("search", o.mode(), o.level(), o.status(), o.tookMs(), o.backends(),
        System.currentTimeMillis(), o.window(), o.staleMillis()));
  }

  /** One search of a multi-search: its answer with {@code "status":200}, or its error, never thrown. */
  private AnswerBytes item(KeyCheck.Caller caller, JsonNode query, boolean bypass,
      java.util.function.Consumer<Outcome> outcome) {
    try {
      if (query == null || !query.isObject()) {
        throw new BadRequestException("invalid_json", "each search of a multi-search is a JSON object");
      }
      return search(caller, paramsOf(query)::get, bypass, false, true, outcome);
    } catch (BadRequestException e) {
      return AnswerBytes.of(failure(400, e.code(), e.getMessage()));
    } catch (ApiException e) {
      return AnswerBytes.of(failure(e.status(), e.code(), e.getMessage()));
    } catch (RuntimeException e) {
      return AnswerBytes.of(failure(500, "internal", "internal error"));
    }
  }

  /**
   * A search's answer as the parts it is made of: its envelope's head, its page's hits (the bytes
   * cached with the window, shared, not copied) and its tail, copied once into a response.
   */
  record AnswerBytes(byte[] head, byte[][] hits, int from, int to, byte[] tail) {
    private static final byte[][] NO_HITS = new byte[0][];
    private static final byte[] NOTHING = new byte[0];

    static AnswerBytes of(byte[] whole) {
      return new AnswerBytes(whole, NO_HITS, 0, 0, NOTHING);
    }

    /** The answer's length in bytes. */
    int length() {
      int length = head.length + tail.length + Math.max(0, to - from - 1);
      for (int i = from; i < to; i++) {
        length += hits[i].length;
      }
      return length;
    }

    /** Copies the answer into {@code into} at {@code at}; returns the index after it. */
    int copyTo(byte[] into, int at) {
      System.arraycopy(head, 0, into, at, head.length);
      at += head.length;
      for (int i = from; i < to; i++) {
        if (i > from) {
          into[at++] = ',';
        }
        System.arraycopy(hits[i], 0, into, at, hits[i].length);
        at += hits[i].length;
      }
      System.arraycopy(tail, 0, into, at, tail.length);
      return at + tail.length;
    }

    /** The answer's JSON. */
    byte[] bytes() {
      byte[] bytes = new byte[length()];
      copyTo(bytes, 0);
      return bytes;
    }
  }

  private static byte[] failure(int status, String code, String message) {
    byte[] error = JsonErrors.body(code, message);
    ByteArrayOutputStream out = new ByteArrayOutputStream(error.length + 16);
    out.writeBytes(("{\"status\":" + status + ",").getBytes(StandardCharsets.UTF_8));
    out.write(error, 1, error.length - 1);
    return out.toByteArray();
  }

  private static boolean bypass(Context ctx) {
    String cacheControl = ctx.header("Cache-Control");
    return cacheControl != null && cacheControl.toLowerCase(java.util.Locale.ROOT).contains("no-cache");
  }

  private static JsonNode jsonObject(Context ctx) {
    JsonNode body;
    try {
      body = JSON.readTree(ctx.bodyAsBytes());
    } catch (Exception e) {
      throw new BadRequestException("invalid_json", "the request body is not valid JSON");
    }
    if (body == null || !body.isObject()) {
      throw new BadRequestException("invalid_json", "the request body must be a JSON object");
    }
    return body;
  }

  private static Map<String, String> paramsOf(JsonNode body) {
    Map<String, String> params = new HashMap<>();
    body.fields().forEachRemaining(e -> params.put(e.getKey(), asParam(e.getKey(), e.getValue())));
    return params;
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

  /**
   * The tags a search of {@code caller} filters by: the request's, which must all be the tenant's
   * when the caller's key has a tenant; the tenant's when the request names none.
   *
   * @throws ApiException 403 {@code tag_not_allowed}
   */
  static List<String> tagsFor(KeyCheck.Caller caller, List<String> requested) {
    List<String> tenant = caller.tenantTags();
    if (tenant == null) {
      return requested;
    }
    if (requested.isEmpty()) {
      return tenant;
    }
    for (String tag : requested) {
      if (!tenant.contains(tag)) {
        throw new ApiException(403, "tag_not_allowed", "this API key may not search tag '" + tag + "'");
      }
    }
    return requested;
  }

  /**
   * One search: its answer's JSON.
   *
   * @param admit whether it takes a permit of the caller's share (a multi-search's searches run on
   *     permits their request took)
   * @param withStatus whether the answer starts with {@code "status":200} (a multi-search's result)
   * @param outcome takes what the search says of itself, whatever its end
   */
  private AnswerBytes search(KeyCheck.Caller caller, java.util.function.Function<String, String> param, boolean bypass,
      boolean admit, boolean withStatus, java.util.function.Consumer<Outcome> outcome) {
    long began = System.nanoTime();
    String mode = "unknown";
    String level = "none";
    int status = 500;
    Map<String, Long> backends = Map.of();
    WindowQuery window = null;
    long staleMillis = 0;
    String admitted = null;
    try {
      SearchQuery asked = SearchQuery.fromParams(param, defaults);
      mode = asked.mode().wireName();
      SearchQuery written = withTenant(caller, asked);
      java.util.concurrent.CompletableFuture<SearchQuery> correction = correction(caller, written, bypass);
      if (admit) {
        admitted = admission.admit(caller.client(), caller.share(perClient));
      }
      WhileCorrecting.Answered<SearchQuery, WindowCache.Answer> answered = WhileCorrecting.answer(written, correction,
          q -> bypass ? cache.bypass(q.window(windowHits), q.offset(), q.k()) : cache.get(q.window(windowHits)));
      SearchQuery query = answered.query();
      window = query.window(windowHits);
      WindowCache.Answer answer = answered.answer();
      level = answer.source().name().toLowerCase(java.util.Locale.ROOT);
      staleMillis = answer.staleMillis();
      backends = answer.source() == WindowCache.Source.MISS || answer.source() == WindowCache.Source.BYPASS
          ? answer.window().backendMillis() : Map.of();
      AnswerBytes body = answerJson(asked.q(), query, answer, began, withStatus);
      status = 200;
      return body;
    } catch (RuntimeException e) {
      status = statusOf(e);
      throw e;
    } finally {
      if (admitted != null) {
        admission.release(admitted);
      }
      reported(began, mode, level, status, backends, status == 200 ? window : null, staleMillis, outcome);
    }
  }

  /**
   * A search of a multi-search answered from L1 on the request's own thread: its answer with {@code
   * "status":200}, or null when L1 does not hold its window (or the search is invalid), for a lane to
   * answer as any search, errors included. A cached search so costs no hand-over to another thread.
   */
  private AnswerBytes fromL1(KeyCheck.Caller caller, JsonNode item, java.util.function.Consumer<Outcome> outcome) {
    if (item == null || !item.isObject()) {
      return null;
    }
    long began = System.nanoTime();
    SearchQuery asked;
    SearchQuery query;
    try {
      asked = SearchQuery.fromParams(paramsOf(item)::get, defaults);
      query = rememberedCorrection(caller, withTenant(caller, asked));
    } catch (RuntimeException invalid) {
      return null;
    }
    if (query == null) {
      return null;
    }
    WindowQuery window = query.window(windowHits);
    WindowCache.Answer answer = cache.inL1(window);
    if (answer == null) {
      return null;
    }
    AnswerBytes body = answerJson(asked.q(), query, answer, began, true);
    reported(began, query.mode().wireName(), "l1", 200, Map.of(), window, answer.staleMillis(), outcome);
    return body;
  }

  /** The request's search with the caller's tenant applied ({@link #tagsFor}). */
  private static SearchQuery withTenant(KeyCheck.Caller caller, SearchQuery asked) {
    List<String> tags = tagsFor(caller, asked.tags());
    return tags == asked.tags() ? asked : asked.withTags(tags);
  }

  /**
   * The search of {@code query}'s text with its typos corrected, once the corrector answers
   * ({@link QueryCorrector#correction}), when corrections are on, the request allows them and the
   * caller sees every document: the vocabulary is the whole index's, so a tenant's key is never
   * corrected (a correction would tell it words of other tenants' documents). {@code query} itself
   * when nothing is corrected, or when the correction would make the query too long.
   *
   * @param fresh ask the engine whatever is remembered (a no-cache search)
   */
  private java.util.concurrent.CompletableFuture<SearchQuery> correction(KeyCheck.Caller caller, SearchQuery query,
      boolean fresh) {
    if (!corrects(caller, query)) {
      return java.util.concurrent.CompletableFuture.completedFuture(query);
    }
    return corrector.correction(query.q(), fresh).thenApply(q -> withQ(query, q));
  }

  /**
   * {@link #correction}, but only from what the corrector remembers, without asking the engine: null
   * when it remembers nothing of the query.
   */
  private SearchQuery rememberedCorrection(KeyCheck.Caller caller, SearchQuery query) {
    if (!corrects(caller, query)) {
      return query;
    }
    String q = corrector.remembered(query.q());
    return q == null ? null : withQ(query, q);
  }

  private boolean corrects(KeyCheck.Caller caller, SearchQuery query) {
    return corrector != null && query.correct() && caller.tenantTags() == null;
  }

  /** {@code query} with the text {@code q}: itself when it has that text, or when {@code q} is too long. */
  private static SearchQuery withQ(SearchQuery query, String q) {
    if (q.equals(query.q())) {
      return query;
    }
    try {
      return query.withQ(q);
    } catch (BadRequestException tooLong) {
      return query;
    }
  }

  /**
   * The answer's JSON: the hits are the bytes cached with the window (serialised here only with
   * {@code explain}); only the envelope is written per request.
   */
  private AnswerBytes answerJson(String askedQ, SearchQuery query, WindowCache.Answer answer, long began, boolean withStatus) {
    try {
      CandidateWindow cached = answer.window();
      double tookMs = (System.nanoTime() - began) / 1e6;
      int from = cached.pageFrom(query.offset());
      int to = cached.pageTo(query.offset(), query.k());
      String corrected = askedQ.equals(query.q()) ? ""
          : "\",\"corrected_q\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(query.q()));
      byte[] head = ((withStatus ? "{\"status\":200,\"query\":\"" : "{\"query\":\"")
          + new String(JsonStringEncoder.getInstance().quoteAsString(askedQ)) + corrected + "\",\"mode\":\"" + query.mode().wireName()
          + "\",\"k\":" + query.k() + ",\"offset\":" + query.offset() + ",\"total\":" + cached.hits().size() + ",\"hits\":[")
          .getBytes(StandardCharsets.UTF_8);
      byte[][] hits = answer.hitJson();
      if (query.explain()) {
        hits = new byte[to][];
        for (int i = from; i < to; i++) {
          hits[i] = JSON.writeValueAsBytes(cached.hits().get(i));
        }
      }
      String level = answer.source().name().toLowerCase(java.util.Locale.ROOT);
      String tail = Decimals.append(new StringBuilder("],\"took_ms\":"), tookMs, 2) + ",\"cache\":\"" + level
          + "\",\"generation\":" + cached.generation() + ",\"stale_ms\":" + answer.staleMillis() + ",\"degraded\":"
          + (cached.degraded().isEmpty() ? "[]" : JSON.writeValueAsString(cached.degraded()))
          + (query.explain() ? ",\"backend_ms\":" + JSON.writeValueAsString(cached.backendMillis()) + ",\"index_version\":"
              + cached.indexVersion() : "") + "}";
      return new AnswerBytes(head, hits, from, to, tail.getBytes(StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A search's timer, its count for {@code /status} and its outcome. */
  private void reported(long began, String mode, String level, int status, Map<String, Long> backends, WindowQuery window,
      long staleMillis, java.util.function.Consumer<Outcome> outcome) {
    long nanos = System.nanoTime() - began;
    timer(mode, status).record(nanos, TimeUnit.NANOSECONDS);
    recent.record(level, status, nanos);
    outcome.accept(new Outcome(mode, level, status, nanos / 1e6, backends, window, staleMillis));
  }

  private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

  private Timer timer(String mode, int status) {
    return timers.computeIfAbsent(mode + ":" + status, k -> Timer.builder("brain_request_latency")
        .tag("endpoint", "search").tag("mode", mode).tag("status", Integer.toString(status))
        .publishPercentileHistogram().register(registry));
  }
}
