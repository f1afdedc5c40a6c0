package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.core.search.FusionMethod;
import dev.companionbrain.core.search.SearchMode;
import dev.companionbrain.core.search.Weights;
import dev.companionbrain.core.search.WindowQuery;
import dev.companionbrain.core.telemetry.LatencyEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A multi-search's one latency event, and an answer's bytes, without a service. */
class SearchHandlerTest {
  private static WindowQuery window(String q) {
    return new WindowQuery(q, SearchMode.HYBRID, List.of(), FusionMethod.RRF, Weights.parse("text:1,keyword:1,vector:1"), 100);
  }

  private static SearchHandler.Outcome outcome(String mode, String level, int status, Map<String, Long> backends,
      WindowQuery window, long stale) {
    return new SearchHandler.Outcome(mode, level, status, 1.5, backends, window, stale);
  }

  @Test
  void aMultiSearchsEventSaysWhatItsSearchesShareAndGathersTheirWindows() {
    java.util.Map<String, Long> unknownTime = new java.util.HashMap<>();
    unknownTime.put("vector", null);
    unknownTime.put("text", 2L);
    LatencyEvent event = SearchHandler.multiSearchEvent(200, 12.5, 99, Arrays.asList(
        outcome("hybrid", "miss", 200, Map.of("text", 4L, "keyword", 9L), window("a"), 0),
        null,
        outcome("hybrid", "miss", 200, Map.of("text", 7L, "keyword", 3L), window("b"), 250),
        outcome("hybrid", "miss", 503, Map.of("keyword", 30L), window("c"), 900),
        outcome("hybrid", "miss", 200, unknownTime, null, 10)));
    assertThat(event.endpoint()).isEqualTo("multi-search");
    assertThat(event.status()).isEqualTo(200);
    assertThat(event.tookMs()).isEqualTo(12.5);
    assertThat(event.timestamp()).isEqualTo(99);
    assertThat(event.mode()).isEqualTo("hybrid");
    assertThat(event.cache()).isEqualTo("miss");
    assertThat(event.window()).isNull();
    assertThat(event.windows()).as("the successful searches' windows, in order").containsExactly(window("a"), window("b"));
    assertThat(event.backends()).as("each retriever's longest wait, a failed search's too")
        .isEqualTo(Map.of("text", 7L, "keyword", 30L));
    assertThat(event.staleMs()).isEqualTo(900);
  }

  @Test
  void searchesThatDifferAreMixedAndARequestWithoutSearchesIsUnknown() {
    LatencyEvent modes = SearchHandler.multiSearchEvent(200, 1, 1, List.of(
        outcome("text", "l1", 200, Map.of(), window("a"), 0), outcome("keyword", "l1", 200, Map.of(), window("b"), 0)));
    assertThat(modes.mode()).isEqualTo(SearchHandler.MIXED);
    assertThat(modes.cache()).isEqualTo("l1");
    LatencyEvent levels = SearchHandler.multiSearchEvent(200, 1, 1, List.of(
        outcome("text", "l1", 200, Map.of(), window("a"), 0), outcome("text", "l2", 200, Map.of(), window("a"), 0),
        outcome("text", "l1", 200, Map.of(), window("a"), 0)));
    assertThat(levels.mode()).isEqualTo("text");
    assertThat(levels.cache()).as("mixed stays mixed").isEqualTo(SearchHandler.MIXED);
    assertThat(levels.windows()).hasSize(3);
    LatencyEvent refused = SearchHandler.multiSearchEvent(429, 0.2, 1, List.of());
    assertThat(refused.mode()).isEqualTo("unknown");
    assertThat(refused.cache()).isEqualTo("none");
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.windows()).isEmpty();
    assertThat(refused.backends()).isEmpty();
    assertThat(refused.staleMs()).isZero();
    assertThat(SearchHandler.multiSearchEvent(400, 0.2, 1, Arrays.asList((SearchHandler.Outcome) null)).mode())
        .isEqualTo("unknown");
  }

  @Test
  void anAnswersBytesAreItsHeadItsPagesHitsBetweenCommasAndItsTail() {
    byte[][] hits = {bytes("{\"id\":0}"), bytes("{\"id\":1}"), bytes("{\"id\":2}"), bytes("{\"id\":3}")};
    SearchHandler.AnswerBytes page = new SearchHandler.AnswerBytes(bytes("{\"hits\":["), hits, 1, 3, bytes("]}"));
    assertThat(new String(page.bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"hits\":[{\"id\":1},{\"id\":2}]}");
    assertThat(page.length()).isEqualTo(page.bytes().length);
    byte[] into = new byte[page.length() + 4];
    assertThat(page.copyTo(into, 2)).isEqualTo(2 + page.length());
    assertThat(new String(into, 2, page.length(), StandardCharsets.UTF_8)).isEqualTo(new String(page.bytes(),
        StandardCharsets.UTF_8));
    SearchHandler.AnswerBytes empty = new SearchHandler.AnswerBytes(bytes("{\"hits\":["), hits, 2, 2, bytes("]}"));
    assertThat(new String(empty.bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"hits\":[]}");
    assertThat(empty.length()).isEqualTo(11);
    assertThat(new String(SearchHandler.AnswerBytes.of(bytes("{\"status\":400}")).bytes(), StandardCharsets.UTF_8))
        .isEqualTo("{\"status\":400}");
  }

  @Test
  void aFailedRequestsStatusIsTheOneItIsAnsweredWith() {
    assertThat(SearchHandler.statusOf(new dev.companionbrain.core.search.BadRequestException("invalid_k", "k"))).isEqualTo(400);
    assertThat(SearchHandler.statusOf(new ApiException(403, "tag_not_allowed", "no"))).isEqualTo(403);
    assertThat(SearchHandler.statusOf(new IllegalStateException("bug"))).isEqualTo(500);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
