package dev.companionbrain.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import dev.companionbrain.core.search.FusionMethod;
import dev.companionbrain.core.search.SearchMode;
import dev.companionbrain.core.search.Weights;
import dev.companionbrain.core.search.WindowQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LatencyEventTest {
  @Test
  void anEventSurvivesTheRoundTripInSnakeCase() throws Exception {
    WindowQuery window = new WindowQuery("wing flutter", SearchMode.HYBRID, java.util.List.of(), FusionMethod.RRF,
        Weights.parse("text:1,keyword:1,vector:1"), 100);
    LatencyEvent event = new LatencyEvent("search", "hybrid", "miss", 200, 12.345, Map.of("keyword", 3L, "vector", 7L),
        1_764_238_000_000L, window, 120);
    byte[] json = event.toJson();
    assertThat(new ObjectMapper().readTree(json).fieldNames()).toIterable()
        .containsExactlyInAnyOrder("endpoint", "mode", "cache", "status", "took_ms", "backends", "timestamp", "window",
            "stale_ms");
    assertThat(LatencyEvent.fromJson(json)).isEqualTo(event);
  }

  @Test
  void aMultiSearchsEventCarriesItsWindowsAndNoOtherEventHasTheField() throws Exception {
    WindowQuery wing = new WindowQuery("wing", SearchMode.HYBRID, java.util.List.of(), FusionMethod.RRF,
        Weights.parse("text:1,keyword:1,vector:1"), 100);
    WindowQuery flow = new WindowQuery("flow", SearchMode.TEXT, java.util.List.of("aero"), FusionMethod.RRF,
        Weights.parse("text:1,keyword:1,vector:1"), 100);
    LatencyEvent multi = new LatencyEvent("multi-search", "mixed", "mixed", 200, 2, Map.of(), 5, null,
        java.util.List.of(wing, flow), 0);
    assertThat(new ObjectMapper().readTree(multi.toJson()).get("windows")).hasSize(2);
    assertThat(LatencyEvent.fromJson(multi.toJson()).windows()).containsExactly(wing, flow);
    assertThat(multi.answeredWindows()).containsExactly(wing, flow);
    LatencyEvent single = new LatencyEvent("search", "hybrid", "l1", 200, 1, Map.of(), 5, wing, 0);
    assertThat(single.windows()).isEmpty();
    assertThat(single.answeredWindows()).containsExactly(wing);
    assertThat(new LatencyEvent("search", "hybrid", "l1", 503, 1, Map.of(), 5, null, 0).answeredWindows()).isEmpty();
    assertThat(new ObjectMapper().readTree(single.toJson()).has("windows")).isFalse();
    assertThat(new ObjectMapper().readTree(dev.companionbrain.core.wire.WireJson.bytes(single)).has("windows")).isFalse();
  }

  @Test
  void whatAnOlderServiceWroteIsStillRead() {
    byte[] json = "{\"endpoint\":\"search\",\"mode\":\"text\",\"cache\":\"l1\",\"status\":200,\"took_ms\":0.5,\"timestamp\":9,\"new\":1}"
        .getBytes(StandardCharsets.UTF_8);
    assertThat(LatencyEvent.fromJson(json)).isEqualTo(new LatencyEvent("search", "text", "l1", 200, 0.5, Map.of(), 9, null, 0));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "{nope", "[]", "{\"took_ms\":\"x\",\"timestamp\":1}", "{\"took_ms\":1}", "null"})
  void anythingElseIsNoEvent(String json) {
    assertThat(LatencyEvent.fromJson(json.getBytes(StandardCharsets.UTF_8))).isNull();
  }

  @Test
  void errorsAreTheServersAndHitsAreTheCaches() {
    assertThat(new LatencyEvent("search", "hybrid", "l2", 503, 1, Map.of(), 1, null, 0).isError()).isTrue();
    assertThat(new LatencyEvent("search", "hybrid", "l2", 429, 1, Map.of(), 1, null, 0).isError()).isFalse();
    assertThat(new LatencyEvent("search", "hybrid", "l2", 200, 1, Map.of(), 1, null, 0).isCacheHit()).isTrue();
    assertThat(new LatencyEvent("search", "hybrid", "miss", 200, 1, Map.of(), 1, null, 0).isCacheHit()).isFalse();
  }

  @Test
  void theEventsOwnJsonIsWhatTheWireMappingWritesWhateverItHolds() throws Exception {
    WindowQuery tagged = new WindowQuery("wing \"flutter\" é", SearchMode.KEYWORD, java.util.List.of("aero", "b/c"),
        FusionMethod.WEIGHTED, Weights.parse("text:0.2,keyword:0.4,vector:1"), 300);
    java.util.Map<String, Long> backends = new java.util.LinkedHashMap<>();
    backends.put("keyword", 3L);
    backends.put("vector", 12L);
    java.util.List<LatencyEvent> events = java.util.List.of(
        new LatencyEvent("search", "hybrid", "miss", 200, 12.345, backends, 1_764_238_000_000L, tagged, 0),
        new LatencyEvent("search", "keyword", "l1", 200, 0.41, Map.of(), 9, tagged, 250),
        new LatencyEvent("search", "unknown", "none", 400, 0.05, Map.of(), 9, null, 0),
        new LatencyEvent(null, null, null, 503, 0, null, 0, null, 0),
        new LatencyEvent("multi-search", "mixed", "l1", 200, 3.25, backends, 10, null, java.util.List.of(tagged, tagged), 7),
        new LatencyEvent("multi-search", "unknown", "none", 400, 0.1, Map.of(), 11, null, null, 0));
    java.util.List<byte[]> batch = LatencyEvent.toJson(events);
    assertThat(batch).hasSize(events.size());
    for (int i = 0; i < events.size(); i++) {
      assertThat(new String(batch.get(i), StandardCharsets.UTF_8)).as("one generator for all")
          .isEqualTo(new String(events.get(i).toJson(), StandardCharsets.UTF_8));
    }
    assertThat(LatencyEvent.toJson(java.util.List.of())).isEmpty();
    for (LatencyEvent event : events) {
      assertThat(dev.companionbrain.core.wire.WireJson.tree(event.toJson()))
          .isEqualTo(dev.companionbrain.core.wire.WireJson.tree(dev.companionbrain.core.wire.WireJson.bytes(event)));
      assertThat(LatencyEvent.fromJson(event.toJson())).isEqualTo(event);
    }
  }
}
