package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.core.search.Retriever;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadinessTest {
  private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
  private final Map<String, Boolean> up = new LinkedHashMap<>(Map.of("elasticsearch", true, "meilisearch", true, "redis", true));
  private final Map<Retriever, HybridSearcher.BreakerState> breakers = new EnumMap<>(Retriever.class);
  private final Readiness readiness;

  ReadinessTest() {
    for (Retriever r : Retriever.values()) {
      breakers.put(r, new HybridSearcher.BreakerState(CircuitBreaker.State.CLOSED, null));
    }
    Map<String, Readiness.Probe> probes = new LinkedHashMap<>();
    for (String engine : List.of("elasticsearch", "meilisearch", "redis")) {
      probes.put(engine, () -> up.get(engine));
    }
    readiness = new Readiness(probes, () -> breakers, () -> 7L, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Test
  void readyWhenEveryRetrieverCanAnswer() {
    Readiness.Report report = readiness.check();
    assertThat(report.status()).isEqualTo(200);
    assertThat(report.body()).containsEntry("status", "ready").containsEntry("skipped", List.of())
        .containsEntry("generation", 7L);
  }

  @Test
  void anOpenBreakerMakesItDegradedAndSaysWhichRetrieverIsSkippedSinceWhen() {
    Instant opened = NOW.minusSeconds(3);
    breakers.put(Retriever.VECTOR, new HybridSearcher.BreakerState(CircuitBreaker.State.OPEN, opened));
    Readiness.Report report = readiness.check();
    assertThat(report.status()).isEqualTo(200);
    assertThat(report.body()).containsEntry("status", "degraded");
    assertThat(report.body().get("skipped")).isEqualTo(List.of(
        Map.of("retriever", "vector", "reason", "circuit_open", "since", opened.toString())));
  }

  @Test
  void aHalfOpenBreakerLetsTrialsThroughAndIsNotSkipped() {
    breakers.put(Retriever.TEXT, new HybridSearcher.BreakerState(CircuitBreaker.State.HALF_OPEN, NOW));
    assertThat(readiness.check().body()).containsEntry("status", "ready");
  }

  @Test
  void anEngineDownSkipsItsRetrieversAndRedisAloneSkipsNone() {
    up.put("redis", false);
    assertThat(readiness.check().body()).containsEntry("status", "ready");
    up.put("meilisearch", false);
    Readiness.Report report = readiness.check();
    assertThat(report.body()).containsEntry("status", "degraded");
    assertThat(report.body().get("skipped")).isEqualTo(List.of(
        Map.of("retriever", "text", "reason", "meilisearch_down", "since", NOW.toString())));
  }

  @Test
  void unavailableWithA503WhenNoRetrieverCanAnswer() {
    up.put("meilisearch", false);
    breakers.put(Retriever.KEYWORD, new HybridSearcher.BreakerState(CircuitBreaker.State.OPEN, NOW));
    breakers.put(Retriever.VECTOR, new HybridSearcher.BreakerState(CircuitBreaker.State.OPEN, NOW));
    Readiness.Report report = readiness.check();
    assertThat(report.status()).isEqualTo(503);
    assertThat(report.body()).containsEntry("status", "unavailable");
  }
}
