package dev.companionbrain.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.companionbrain.core.relevance.CollectionQuery;
import dev.companionbrain.core.relevance.TestCollection;
import dev.companionbrain.core.search.SearchQuery;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The open-loop mix against a stub of the service's {@code /search}: the phases' pacing, the clients'
 * keys taken in turn, the no-cache share, and what is recorded (only the phases with figures).
 */
class OpenLoopMixTest {
  private HttpServer server;
  private String base;
  private final Map<String, AtomicInteger> byKey = new ConcurrentHashMap<>();
  private final AtomicInteger searches = new AtomicInteger();
  private final AtomicInteger noCache = new AtomicInteger();
  private final AtomicInteger floor = new AtomicInteger();

  @BeforeEach
  void stub() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/search", this::search);
    server.createContext("/health/live", exchange -> {
      floor.incrementAndGet();
      answer(exchange, 200, "{\"status\":\"live\"}");
    });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  /** Every 4th search is refused (429, Retry-After), the others answered from L1 at generation 3. */
  private void search(HttpExchange exchange) throws IOException {
    int n = searches.incrementAndGet();
    byKey.computeIfAbsent(exchange.getRequestHeaders().getFirst("Authorization"), k -> new AtomicInteger()).incrementAndGet();
    if ("no-cache".equals(exchange.getRequestHeaders().getFirst("Cache-Control"))) {
      noCache.incrementAndGet();
    }
    if (n % 4 == 0) {
      exchange.getResponseHeaders().add("Retry-After", "1");
      answer(exchange, 429, "{\"error\":{\"code\":\"too_many_requests\",\"message\":\"m\"}}");
    } else {
      answer(exchange, 200, "{\"cache\":\"l1\",\"stale_ms\":0,\"generation\":3,\"hits\":[{\"id\":\"d1\"}],\"degraded\":[]}");
    }
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @Test
  void requestsArePacedPerPhaseSpreadOverTheClientsAndRecordedOnlyWhereAPhaseHasFigures() throws Exception {
    List<JsonNode> answers = new CopyOnWriteArrayList<>();
    OpenLoopMix mix = new OpenLoopMix(base, List.of("k0", "k1", "k2"), List.of("wing flutter", "boundary layer"),
        new OpenLoopMix.Shape(1.0, 12, 0, 0.5, 0), answers::add);
    CacheFigures warmup = null;
    CacheFigures measured = new CacheFigures(500);
    long from = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    long measureFrom = from + TimeUnit.MILLISECONDS.toNanos(100);
    Thread pacing = mix.start(List.of(new OpenLoopMix.Phase(from, measureFrom, 200, warmup),
        new OpenLoopMix.Phase(measureFrom, measureFrom + TimeUnit.MILLISECONDS.toNanos(600), 100, measured)));
    pacing.join(10_000);
    mix.awaitInFlight(Duration.ofSeconds(10));

    assertThat(searches.get()).isEqualTo(20 + 60); // 100 ms at 200/s, then 600 ms at 100/s
    assertThat(byKey).containsOnlyKeys("Bearer k0", "Bearer k1", "Bearer k2");
    assertThat(byKey.values()).extracting(AtomicInteger::get).containsOnly(80 / 3, 80 / 3 + 1);
    assertThat(noCache.get()).isBetween(25, 55); // half of 80, seeded
    assertThat(floor.get()).isZero();
    assertThat(measured.sentCount()).isEqualTo(60);
    assertThat(measured.answered() + measured.failures()).isEqualTo(60);
    assertThat(measured.failuresByCode()).containsOnlyKeys(429);
    assertThat(measured.retryAfterMissing()).isZero();
    assertThat(measured.cacheShare()).isEqualTo(1.0);
    assertThat(answers).hasSize((int) measured.answered());
    assertThat(answers.get(0).path("generation").asLong()).isEqualTo(3);
  }

  @Test
  void theFloorGoesBesideEveryNthRequestAndTheNoCacheShareZeroSendsNone() throws Exception {
    OpenLoopMix mix = new OpenLoopMix(base, List.of("k"), List.of("q"), new OpenLoopMix.Shape(1.0, 12, 0, 0, 5), null);
    CacheFigures f = new CacheFigures(500);
    long from = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    mix.start(List.of(new OpenLoopMix.Phase(from, from + TimeUnit.MILLISECONDS.toNanos(500), 40, f))).join(10_000);
    mix.awaitInFlight(Duration.ofSeconds(10));
    assertThat(searches.get()).isEqualTo(20);
    assertThat(floor.get()).isEqualTo(4);
    assertThat(noCache.get()).isZero();
    assertThat(f.floorMs(50)).isPositive();
  }

  @Test
  void aMixNeedsAClientAndCutsLongQueries() {
    assertThatThrownBy(() -> new OpenLoopMix(base, List.of(), List.of("q"), new OpenLoopMix.Shape(1, 1, 0, 0, 0), null))
        .isInstanceOf(IllegalArgumentException.class);
    String longQuery = "x".repeat(SearchQuery.MAX_QUERY_CHARS + 5);
    TestCollection c = new TestCollection("t", List.of(), List.of(new CollectionQuery("1", "short"),
        new CollectionQuery("2", longQuery), new CollectionQuery("3", "y".repeat(SearchQuery.MAX_QUERY_CHARS))), Map.of());
    assertThat(OpenLoopMix.queries(c)).containsExactly("short", "x".repeat(SearchQuery.MAX_QUERY_CHARS),
        "y".repeat(SearchQuery.MAX_QUERY_CHARS));
  }
}
