package dev.companionbrain.query;

import dev.companionbrain.core.search.Retriever;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What {@code GET /health/ready} says: {@code ready} when every retriever can answer, {@code
 * degraded} (still HTTP 200) when one or two are skipped, because their circuit breaker is open or
 * their engine does not answer, and {@code unavailable} (HTTP 503) when none can answer. A load
 * balancer keeps an instance while the status code is 200.
 */
final class Readiness {
  /** A health probe of one engine: true when it answers. */
  interface Probe {
    boolean run() throws Exception;
  }

  /** The answer: HTTP status and body. */
  record Report(int status, Map<String, Object> body) {}

  private final Map<String, Probe> probes;
  private final Supplier<Map<Retriever, HybridSearcher.BreakerState>> breakers;
  private final Supplier<Long> generation;
  private final Clock clock;
  private final Map<String, Instant> downSince = new ConcurrentHashMap<>();

  /**
   * @param probes the engines by name: {@code elasticsearch} (keyword and vector), {@code meilisearch}
   *     (text) and {@code redis} (the shared cache, which no retriever needs)
   */
  Readiness(Map<String, Probe> probes, Supplier<Map<Retriever, HybridSearcher.BreakerState>> breakers,
      Supplier<Long> generation, Clock clock) {
    this.probes = probes;
    this.breakers = breakers;
    this.generation = generation;
    this.clock = clock;
  }

  static String engineOf(Retriever retriever) {
    return retriever == Retriever.TEXT ? "meilisearch" : "elasticsearch";
  }

  Report check() {
    Map<String, Object> backends = new LinkedHashMap<>();
    Map<String, Boolean> up = new LinkedHashMap<>();
    probes.forEach((name, probe) -> up.put(name, probe(backends, name, probe)));
    Map<Retriever, HybridSearcher.BreakerState> states = breakers.get();
    List<Map<String, Object>> skipped = new ArrayList<>();
    Map<String, Object> breakerBody = new LinkedHashMap<>();
    for (Retriever r : Retriever.values()) {
      HybridSearcher.BreakerState b = states.get(r);
      breakerBody.put(r.wireName(), entry("state", b.state().name(), "since", text(b.since())));
      if (b.state() == CircuitBreaker.State.OPEN || b.state() == CircuitBreaker.State.FORCED_OPEN) {
        skipped.add(entry("retriever", r.wireName(), "reason", "circuit_open", "since", text(b.since())));
      } else if (!up.getOrDefault(engineOf(r), true)) {
        skipped.add(entry("retriever", r.wireName(), "reason", engineOf(r) + "_down",
            "since", text(downSince.get(engineOf(r)))));
      }
    }
    String status = skipped.isEmpty() ? "ready" : skipped.size() == Retriever.values().length ? "unavailable" : "degraded";
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status);
    body.put("skipped", skipped);
    body.put("backends", backends);
    body.put("circuit_breakers", breakerBody);
    body.put("generation", generation.get());
    return new Report(status.equals("unavailable") ? 503 : 200, body);
  }

  private boolean probe(Map<String, Object> out, String name, Probe probe) {
    long began = System.nanoTime();
    boolean up;
    String error = null;
    try {
      up = probe.run();
    } catch (Exception e) {
      up = false;
      error = e.getClass().getSimpleName();
    }
    if (up) {
      downSince.remove(name);
    } else {
      downSince.putIfAbsent(name, clock.instant());
    }
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("up", up);
    status.put("latency_ms", (System.nanoTime() - began) / 1_000_000);
    if (error != null) {
      status.put("error", error);
    }
    out.put(name, status);
    return up;
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  private static Map<String, Object> entry(Object... namesAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      m.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return m;
  }
}
