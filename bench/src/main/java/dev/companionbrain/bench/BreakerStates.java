package dev.companionbrain.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The query service's circuit breakers at one moment, by name: what {@code GET /health/ready} says of
 * each retriever's breaker ({@code circuit_breakers: {name: {state, since}}}, {@code since} being its
 * last transition), and, when a service registers resilience4j's Micrometer metrics, the
 * {@code resilience4j_circuitbreaker_state} gauges and {@code resilience4j_circuitbreaker_not_permitted_calls_total}
 * counters of its {@code /metrics}. Two snapshots tell which breakers opened between them.
 */
record BreakerStates(SortedMap<String, State> byName) {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String STATE_GAUGE = "resilience4j_circuitbreaker_state";
  static final String NOT_PERMITTED = "resilience4j_circuitbreaker_not_permitted_calls_total";

  /**
   * One breaker: its state ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, ...), its last transition
   * (null when not known) and the calls it refused so far (0 when not known).
   */
  record State(String state, String since, double notPermitted) {
    boolean closed() {
      return "CLOSED".equals(state);
    }
  }

  BreakerStates {
    byName = Collections.unmodifiableSortedMap(new TreeMap<>(byName));
  }

  /** The service's breakers now (none known when it does not answer). */
  static BreakerStates read(String base, String apiKey) {
    return of(ServiceHttp.readiness(base), ServiceHttp.metrics(base, apiKey));
  }

  /**
   * @param readiness the body of {@code /health/ready} (null or unreadable: no breaker from it)
   * @param metrics the service's {@code /metrics}; its resilience4j samples, when there are any, add the
   *     breakers readiness does not name and the refused calls of every breaker
   */
  static BreakerStates of(String readiness, PrometheusText metrics) {
    SortedMap<String, State> states = new TreeMap<>();
    JsonNode breakers = readinessBreakers(readiness);
    breakers.fields().forEachRemaining(b -> states.put(b.getKey(), new State(b.getValue().path("state").asText(""),
        b.getValue().path("since").isTextual() ? b.getValue().path("since").asText() : null, 0)));
    for (PrometheusText.Sample s : metrics.samples(STATE_GAUGE)) {
      String name = s.labels().get("name");
      if (name != null && s.value() > 0 && !states.containsKey(name)) {
        states.put(name, new State(s.labels().getOrDefault("state", "").toUpperCase(java.util.Locale.ROOT), null, 0));
      }
    }
    for (PrometheusText.Sample s : metrics.samples(NOT_PERMITTED)) {
      String name = s.labels().get("name");
      State known = name == null ? null : states.get(name);
      if (known != null) {
        states.put(name, new State(known.state(), known.since(), known.notPermitted() + s.value()));
      }
    }
    return new BreakerStates(states);
  }

  private static JsonNode readinessBreakers(String readiness) {
    if (readiness == null) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode breakers = JSON.readTree(readiness).path("circuit_breakers");
      return breakers.isObject() ? breakers : JSON.createObjectNode();
    } catch (IOException unreadable) {
      return JSON.createObjectNode();
    }
  }

  /**
   * The breakers that opened between two snapshots, or were not closed at the second: a breaker whose
   * last transition moved (the only way out of closed is open), that refused calls in between, or that
   * is open or half open at the end.
   */
  static List<String> opened(BreakerStates before, BreakerStates after) {
    List<String> opened = new ArrayList<>();
    for (Map.Entry<String, State> b : after.byName().entrySet()) {
      State then = before.byName().get(b.getKey());
      State now = b.getValue();
      boolean moved = then != null && !Objects.equals(then.since(), now.since());
      boolean refused = now.notPermitted() > (then == null ? 0 : then.notPermitted());
      if (!now.closed() || moved || refused) {
        opened.add(b.getKey());
      }
    }
    return opened;
  }
}
