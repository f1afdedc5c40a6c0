package dev.companionbrain.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.bench.BreakerStates.State;
import org.junit.jupiter.api.Test;

/** The service's breakers from /health/ready (and resilience4j's metrics), and which opened between two reads. */
class BreakerStatesTest {
  private static final String READY = """
      {"status":"ready","skipped":[],"backends":{},"circuit_breakers":{
        "keyword":{"state":"CLOSED","since":null},
        "text":{"state":"CLOSED","since":"2026-12-03T10:00:00Z"},
        "vector":{"state":"%s","since":"%s"}},"generation":7}""";

  @Test
  void readinessNamesEachRetrieversBreakerWithItsLastTransition() {
    BreakerStates states = BreakerStates.of(ready("CLOSED", "2026-12-03T10:00:00Z"), PrometheusText.empty());
    assertThat(states.byName()).containsOnlyKeys("keyword", "text", "vector");
    assertThat(states.byName().get("keyword")).isEqualTo(new State("CLOSED", null, 0));
    assertThat(states.byName().get("vector").closed()).isTrue();
    assertThat(BreakerStates.of(null, PrometheusText.empty()).byName()).isEmpty();
    assertThat(BreakerStates.of("<html>", PrometheusText.empty()).byName()).isEmpty();
  }

  @Test
  void aBreakerOpenedWhenItsLastTransitionMovedOrItIsNotClosed() {
    BreakerStates before = BreakerStates.of(ready("CLOSED", "2026-12-03T10:00:00Z"), PrometheusText.empty());
    assertThat(BreakerStates.opened(before, before)).isEmpty();
    // opened and closed again within the period: only its transition time tells
    BreakerStates reclosed = BreakerStates.of(ready("CLOSED", "2026-12-03T10:05:00Z"), PrometheusText.empty());
    assertThat(BreakerStates.opened(before, reclosed)).containsExactly("vector");
    BreakerStates halfOpen = BreakerStates.of(ready("HALF_OPEN", "2026-12-03T10:00:00Z"), PrometheusText.empty());
    assertThat(BreakerStates.opened(before, halfOpen)).containsExactly("vector");
    // a service that did not answer before: only what is not closed now counts
    assertThat(BreakerStates.opened(BreakerStates.of(null, PrometheusText.empty()), reclosed)).isEmpty();
  }

  @Test
  void resilience4jMetricsAddTheBreakersReadinessDoesNotNameAndTheirRefusedCalls() {
    PrometheusText before = PrometheusText.parse("""
        resilience4j_circuitbreaker_state{name="redis",state="closed"} 1.0
        resilience4j_circuitbreaker_state{name="redis",state="open"} 0.0
        resilience4j_circuitbreaker_not_permitted_calls_total{kind="not_permitted",name="redis"} 4.0
        resilience4j_circuitbreaker_not_permitted_calls_total{kind="not_permitted",name="keyword"} 0.0
        """);
    PrometheusText after = PrometheusText.parse("""
        resilience4j_circuitbreaker_state{name="redis",state="closed"} 1.0
        resilience4j_circuitbreaker_state{name="redis",state="open"} 0.0
        resilience4j_circuitbreaker_not_permitted_calls_total{kind="not_permitted",name="redis"} 4.0
        resilience4j_circuitbreaker_not_permitted_calls_total{kind="not_permitted",name="keyword"} 2.0
        """);
    String ready = ready("CLOSED", "2026-12-03T10:00:00Z");
    BreakerStates then = BreakerStates.of(ready, before);
    assertThat(then.byName().get("redis")).isEqualTo(new State("CLOSED", null, 4));
    assertThat(BreakerStates.opened(then, BreakerStates.of(ready, after))).containsExactly("keyword");
    PrometheusText open = PrometheusText.parse("""
        resilience4j_circuitbreaker_state{name="redis",state="closed"} 0.0
        resilience4j_circuitbreaker_state{name="redis",state="open"} 1.0
        """);
    assertThat(BreakerStates.of(ready, open).byName().get("redis")).isEqualTo(new State("OPEN", null, 0));
    assertThat(BreakerStates.opened(then, BreakerStates.of(ready, open))).containsExactly("redis");
  }

  private static String ready(String vectorState, String vectorSince) {
    return READY.formatted(vectorState, vectorSince);
  }
}
