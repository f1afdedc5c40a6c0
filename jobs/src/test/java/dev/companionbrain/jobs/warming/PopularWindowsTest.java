package dev.companionbrain.jobs.warming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.core.cache.GenerationNotice;
import dev.companionbrain.core.cache.WarmRequest;
import dev.companionbrain.core.search.WindowQuery;
import dev.companionbrain.core.telemetry.LatencyEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The popularity operator in a test harness: parsing, the top k at each new generation, its state. */
class PopularWindowsTest {
  static final long T0 = 1_795_000_000_000L;

  static WindowQuery window(String q) {
    return WindowQuery.fromParams(Map.of("q", q, "mode", "hybrid", "fusion", "weighted",
        "weights", "text:0.2,keyword:0.4,vector:1", "size", 100));
  }

  static byte[] event(String q, int status, long timestamp) {
    return new LatencyEvent("search", "hybrid", "miss", status, 3.5, Map.of(), timestamp, window(q), 0).toJson();
  }

  static byte[] notice(long generation, long publishedAt) {
    return new GenerationNotice(generation, publishedAt, 10, publishedAt - 500).toJson().getBytes(StandardCharsets.UTF_8);
  }

  private static OneInputStreamOperatorTestHarness<Signal, WarmRecord> harness(int k) throws Exception {
    return new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new PopularWindows(k, 60_000)));
  }

  private static void ask(OneInputStreamOperatorTestHarness<Signal, WarmRecord> h, String q, int times, long at)
      throws Exception {
    for (int i = 0; i < times; i++) {
      h.processElement(new StreamRecord<>(Signal.fromLatencyEvent(event(q, 200, at)).get(0)));
    }
  }

  private static List<WarmRequest> announce(OneInputStreamOperatorTestHarness<Signal, WarmRecord> h, long generation)
      throws Exception {
    int before = h.extractOutputValues().size();
    h.processElement(new StreamRecord<>(Signal.fromNotice(notice(generation, T0 + 50_000))));
    List<WarmRequest> requests = new java.util.ArrayList<>();
    for (WarmRecord r : h.extractOutputValues().subList(before, h.extractOutputValues().size())) {
      assertThat(r.key).isEqualTo(r.request().window().cacheKey());
      requests.add(r.request());
    }
    return requests;
  }

  @Test
  void onlySuccessfulSearchesWithAWindowCountAndNoticesParseInBothForms() {
    assertThat(Signal.fromLatencyEvent(event("wing flutter", 200, T0))).singleElement()
        .satisfies(s -> assertThat(s.window).isEqualTo(window("Wing   FLUTTER").canonicalForm()))
        .satisfies(s -> assertThat(s.timestamp).isEqualTo(T0));
    assertThat(Signal.fromLatencyEvent(event("wing flutter", 503, T0))).isEmpty();
    assertThat(Signal.fromLatencyEvent(new LatencyEvent("documents", null, "none", 200, 1, Map.of(), T0, null, 0).toJson()))
        .isEmpty();
    assertThat(Signal.fromLatencyEvent("{not json".getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(Signal.fromLatencyEvent(null)).isEmpty();
    // a multi-search's one event: each of its windows, in order, each once per search that asked it
    byte[] multi = new LatencyEvent("multi-search", "hybrid", "mixed", 200, 9, Map.of(), T0 + 1, null,
        List.of(window("wing"), window("flow"), window("wing")), 0).toJson();
    assertThat(Signal.fromLatencyEvent(multi)).extracting(s -> s.window).containsExactly(window("wing").canonicalForm(),
        window("flow").canonicalForm(), window("wing").canonicalForm());
    assertThat(Signal.fromLatencyEvent(multi)).allSatisfy(s -> assertThat(s.timestamp).isEqualTo(T0 + 1))
        .allSatisfy(s -> assertThat(s.windowJson).contains("\"q\":"));
    assertThat(Signal.fromLatencyEvent(new LatencyEvent("multi-search", "hybrid", "l1", 429, 1, Map.of(), T0, null,
        List.of(window("wing")), 0).toJson())).as("a refused multi-search asked nothing").isEmpty();
    assertThat(Signal.fromNotice(notice(7, T0)).generation).isEqualTo(7);
    assertThat(Signal.fromNotice("8".getBytes(StandardCharsets.UTF_8)).generation).isEqualTo(8);
    assertThat(Signal.fromNotice("{\"oops\":1}".getBytes(StandardCharsets.UTF_8))).isNull();
  }

  @Test
  void eachNewGenerationGetsTheTopKMostAskedFirst() throws Exception {
    try (var h = harness(2)) {
      h.open();
      ask(h, "shock waves", 3, T0);
      ask(h, "boundary layer", 5, T0 + 1_000);
      ask(h, "heat transfer", 1, T0 + 2_000);

      List<WarmRequest> first = announce(h, 41);

      assertThat(first).containsExactly(
          new WarmRequest(41, window("boundary layer"), 5, 1),
          new WarmRequest(41, window("shock waves"), 3, 2));

      ask(h, "heat transfer", 9, T0 + 3_000);
      assertThat(announce(h, 40)).as("an older generation").isEmpty();
      assertThat(announce(h, 41)).as("the same generation again").isEmpty();
      assertThat(announce(h, 42)).extracting(r -> r.window().q(), WarmRequest::rank)
          .containsExactly(org.assertj.core.api.Assertions.tuple("heat transfer", 1),
              org.assertj.core.api.Assertions.tuple("boundary layer", 2));
    }
  }

  @Test
  void requestsOlderThanTheWindowNoLongerCount() throws Exception {
    try (var h = harness(5)) {
      h.open();
      ask(h, "yesterday", 50, T0);
      ask(h, "now", 1, T0 + 120_000);

      assertThat(announce(h, 1)).extracting(r -> r.window().q()).containsExactly("now");
    }
  }

  @Test
  void aRestartKeepsTheCountsAndTheLastGeneration() throws Exception {
    OperatorSubtaskState state;
    try (var h = harness(3)) {
      h.open();
      ask(h, "a", 2, T0);
      ask(h, "b", 4, T0 + 1_000);
      announce(h, 10);
      state = h.snapshot(1, T0 + 1_000);
    }
    try (var h = harness(3)) {
      h.initializeState(state);
      h.open();
      assertThat(announce(h, 10)).as("generation 10 was warmed before the restart").isEmpty();
      ask(h, "a", 3, T0 + 2_000);

      assertThat(announce(h, 11)).containsExactly(
          new WarmRequest(11, window("a"), 5, 1),
          new WarmRequest(11, window("b"), 4, 2));
    }
  }
}
