package dev.companionbrain.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.relevance.CollectionQuery;
import dev.companionbrain.core.relevance.TestCollection;
import dev.companionbrain.core.search.SearchQuery;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * An open-loop mix of hybrid searches ({@code GET /search?mode=hybrid&k=10}) from one or more clients:
 * queries drawn Zipf over the collection's, a share for page 2, a share sent with {@code Cache-Control:
 * no-cache}. It runs phases back to back on a pacing thread; request i of a phase is due at the phase's
 * start + i / rate and its latency counts from then, however late it was actually sent (no coordinated
 * omission). Request n of the mix goes to client n mod clients, each with its own API key and its own
 * HttpClient (its own connections), so the service sees that many clients. The answers due in a phase
 * with figures are recorded there; a phase without figures is a warm-up.
 */
final class OpenLoopMix {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long a request may take before it counts as no answer. */
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /**
   * What the requests look like.
   *
   * @param seed of the queries' and pages' draws (the no-cache draws use a generator of their own, so the
   *     queries are the same sequence whatever the no-cache share)
   * @param floorEvery every this many requests, also a {@code GET /health/live} from the first client: the
   *     floor under the answers' latency (0: none)
   */
  record Shape(double zipf, long seed, double page2Share, double noCacheShare, int floorEvery) {}

  /** Requests paced at {@code rate} due in [from, to) ({@link System#nanoTime()}); figures null: not recorded. */
  record Phase(long from, long to, double rate, CacheFigures figures) {}

  private record Client(String apiKey, HttpClient http) {}

  /** The instances the requests go to, in turn. */
  private final List<String> bases;
  private final List<String> queries;
  private final Shape shape;
  private final List<Client> clients = new ArrayList<>();
  private final Consumer<JsonNode> answers;
  private final Random random;
  private final Random noCache;
  private final ZipfSampler ranks;
  private final AtomicInteger inFlight = new AtomicInteger();
  /** requests paced so far, over every phase (the pacing thread's alone) */
  private long paced;

  /**
   * @param apiKeys one per client
   * @param answers gets the body of every recorded 200 answer (null: nobody needs them)
   */
  OpenLoopMix(String base, List<String> apiKeys, List<String> queries, Shape shape, Consumer<JsonNode> answers) {
    this(List.of(base), apiKeys, queries, shape, answers);
  }

  /**
   * A mix over several query service instances: request n goes to {@code bases[n % size]}, as a
   * round-robin load balancer would send it; the floor requests go to the first.
   */
  OpenLoopMix(List<String> bases, List<String> apiKeys, List<String> queries, Shape shape, Consumer<JsonNode> answers) {
    if (apiKeys.isEmpty() || bases.isEmpty()) {
      throw new IllegalArgumentException("a mix needs at least one client and one instance");
    }
    this.bases = List.copyOf(bases);
    this.queries = queries;
    this.shape = shape;
    this.answers = answers;
    apiKeys.forEach(key -> clients.add(new Client(key, ServiceHttp.client())));
    random = new Random(shape.seed());
    noCache = new Random(shape.seed() + 1);
    ranks = new ZipfSampler(queries.size(), shape.zipf());
  }

  /** The mix's distinct queries: the collection's, each cut to what a search accepts. */
  static List<String> queries(TestCollection c) {
    List<String> texts = new ArrayList<>();
    for (CollectionQuery q : c.queries()) {
      texts.add(q.text().length() > SearchQuery.MAX_QUERY_CHARS ? q.text().substring(0, SearchQuery.MAX_QUERY_CHARS) : q.text());
    }
    return texts;
  }

  /** Starts a pacing thread that runs {@code phases} in order and ends after the last one's last request. */
  Thread start(List<Phase> phases) {
    Thread pacing = new Thread(() -> phases.forEach(this::run), "open-loop-mix");
    pacing.start();
    return pacing;
  }

  private void run(Phase phase) {
    double periodNanos = 1e9 / phase.rate();
    for (long i = 0; ; i++) {
      long due = phase.from() + (long) (i * periodNanos);
      if (due >= phase.to()) {
        return;
      }
      String q = queries.get(ranks.sample(random));
      boolean page2 = random.nextDouble() < shape.page2Share();
      boolean fresh = shape.noCacheShare() > 0 && noCache.nextDouble() < shape.noCacheShare();
      long n = paced++;
      Client client = clients.get((int) (n % clients.size()));
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      CacheFigures figures = phase.figures();
      if (figures != null) {
        figures.sent();
      }
      if (shape.floorEvery() > 0 && n % shape.floorEvery() == 0) {
        floor(clients.get(0), due, figures);
      }
      String base = bases.get((int) (n % bases.size()));
      HttpRequest.Builder request = ServiceHttp.authorized(URI.create(base + "/search?q="
          + URLEncoder.encode(q, StandardCharsets.UTF_8) + "&mode=hybrid&k=10" + (page2 ? "&offset=10" : "")),
          client.apiKey()).timeout(TIMEOUT);
      if (fresh) {
        request.header("Cache-Control", "no-cache");
      }
      inFlight.incrementAndGet();
      client.http().sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
        long latencyMicros = (System.nanoTime() - due) / 1000;
        try {
          if (figures != null) {
            record(figures, response, error, latencyMicros);
          }
        } finally {
          inFlight.decrementAndGet();
        }
      });
    }
  }

  /** The floor: the same client, the same pacing, the service's trivial endpoint. */
  private void floor(Client client, long due, CacheFigures figures) {
    inFlight.incrementAndGet();
    client.http().sendAsync(ServiceHttp.authorized(URI.create(bases.get(0) + "/health/live"), client.apiKey()).timeout(TIMEOUT)
        .build(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
          if (figures != null && error == null) {
            figures.floorAnswer((System.nanoTime() - due) / 1000);
          }
          inFlight.decrementAndGet();
        });
  }

  private void record(CacheFigures figures, HttpResponse<String> response, Throwable error, long latencyMicros) {
    if (error != null) {
      figures.answer(CacheFigures.Reply.NONE, latencyMicros);
      return;
    }
    JsonNode body = json(response.body());
    CacheFigures.Reply reply = reply(response.statusCode(), response.headers().firstValue("Retry-After").isPresent(), body);
    if (reply.status() == 200) {
      figures.generationSeen(body.path("generation").asLong(0));
      if (answers != null) {
        answers.accept(body);
      }
    }
    figures.answer(reply, latencyMicros);
  }

  private static JsonNode json(String body) {
    try {
      return body == null || body.isEmpty() ? null : JSON.readTree(body);
    } catch (IOException unreadable) {
      return null;
    }
  }

  /**
   * What a response says: a 200's {@code cache}, {@code stale_ms} and whether its {@code degraded} list
   * names a retriever skipped for an open breaker ({@code circuit_open}); an error's {@code error.code}. A
   * 200 whose body is not JSON counts as no answer.
   *
   * @param body the response's JSON (null when it was empty or not JSON)
   */
  static CacheFigures.Reply reply(int status, boolean retryAfter, JsonNode body) {
    if (status != 200) {
      JsonNode code = body == null ? null : body.path("error").path("code");
      return new CacheFigures.Reply(status, code != null && code.isTextual() ? code.asText() : null, retryAfter, null, 0,
          false);
    }
    if (body == null || !body.isObject()) {
      return CacheFigures.Reply.NONE;
    }
    boolean breakerSkipped = false;
    for (JsonNode d : body.path("degraded")) {
      breakerSkipped |= "circuit_open".equals(d.path("reason").asText());
    }
    return new CacheFigures.Reply(200, null, retryAfter, body.path("cache").isTextual() ? body.path("cache").asText() : null,
        body.path("stale_ms").asLong(0), breakerSkipped);
  }

  /** Waits until every answer has come (or {@code timeout}): the last answers of the mix. */
  void awaitInFlight(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  /** Sleeps until {@code nanoTime} ({@link System#nanoTime()}). */
  static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
    }
  }
}
