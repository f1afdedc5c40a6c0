package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import dev.companionbrain.core.search.ScoredId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CandidateWindowTest {
  private static CandidateWindow window(int hits) {
    List<PageHit> list = new ArrayList<>();
    for (int i = 0; i < hits; i++) {
      list.add(new PageHit("d" + i, 1.0 / (i + 1), "title " + i, null, List.of("a"), "2026-01-01T00:00:00Z", "s",
          Map.of("keyword", new PageHit.RetrieverPart(i + 1, 3.5, 0.4))));
    }
    return new CandidateWindow(7, list, List.of(), Map.of("keyword", 3L));
  }

  @Test
  void pagesCutFromOneWindowNeitherRepeatNorSkipAndEqualOneLargerPage() {
    CandidateWindow window = window(37);
    for (int k : new int[] {1, 3, 10, 25}) {
      List<PageHit> paged = new ArrayList<>();
      for (int page = 0; page * k < 60; page++) {
        paged.addAll(window.page(page * k, k));
      }
      assertThat(paged).as("k=%d", k).isEqualTo(window.hits());
      assertThat(window.page(0, 3 * k)).isEqualTo(paged.subList(0, Math.min(37, 3 * k)));
    }
    assertThat(window.page(37, 10)).isEmpty();
    assertThat(window.page(500, 10)).isEmpty();
  }

  @Test
  void theSharedLevelsFormatIsReadBackAsTheSameWindowInSnakeCase() throws Exception {
    CandidateWindow window = window(3);
    byte[] kept = RedisStore.encode(window);
    JsonNode tree = new ObjectMapper(new SmileFactory()).readTree(kept);
    assertThat(tree.fieldNames()).toIterable()
        .containsExactly("generation", "hits", "degraded", "backend_millis", "lists", "depth", "index_version");
    assertThat(tree.at("/hits/0").has("updated_at")).isTrue();
    assertThat(RedisStore.decode(kept)).contains(window);
    assertThat(kept.length).as("smaller than its JSON").isLessThan(new ObjectMapper().writeValueAsBytes(window).length);
  }

  @Test
  void aWindowInAnotherFormatReadsAsAbsent() throws Exception {
    assertThat(RedisStore.decode(new ObjectMapper().writeValueAsBytes(window(3)))).isEmpty();
    assertThat(RedisStore.decode(new byte[0])).isEmpty();
  }

  @Test
  void theRankedListsAJudgeNeedsSurviveTheSharedLevel() throws Exception {
    CandidateWindow window = new CandidateWindow(7, window(2).hits(), List.of(), Map.of("text", 3L),
        Map.of("keyword", new CandidateWindow.RankedList(List.of(new ScoredId("a", 2.5), new ScoredId("b", 1)), false),
            "text", new CandidateWindow.RankedList(List.of(), true)), 120);
    CandidateWindow back = RedisStore.decode(RedisStore.encode(window)).orElseThrow();
    assertThat(back).isEqualTo(window);
    assertThat(back.lists().get("keyword").complete()).isFalse();
    assertThat(back.depth()).isEqualTo(120);
    assertThat(window.weight()).isGreaterThan(window(2).weight());
    assertThat(window.carriedTo(9)).isEqualTo(new CandidateWindow(9, window.hits(), List.of(), Map.of("text", 3L),
        window.lists(), 120));
  }

  @Test
  void theVersionAWindowWasComputedOnIsKeptInTheSharedLevelAndWhenCarried() throws Exception {
    CandidateWindow window = new CandidateWindow(7, window(2).hits(), List.of(), Map.of(), Map.of(), 0, 4);
    assertThat(RedisStore.decode(RedisStore.encode(window)).orElseThrow().indexVersion()).isEqualTo(4);
    assertThat(window.carriedTo(9).indexVersion()).isEqualTo(4);
    assertThat(window(1).indexVersion()).as("not known").isEqualTo(dev.companionbrain.core.index.IndexVersions.SERVED);
  }
}
