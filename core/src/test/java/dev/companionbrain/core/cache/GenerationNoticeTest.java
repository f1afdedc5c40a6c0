package dev.companionbrain.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.search.FusionMethod;
import dev.companionbrain.core.search.SearchMode;
import dev.companionbrain.core.search.Weights;
import dev.companionbrain.core.search.WindowQuery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenerationNoticeTest {
  @Test
  void aNoticeSurvivesTheRoundTripInSnakeCase() throws Exception {
    GenerationNotice notice = new GenerationNotice(42, 1_764_238_000_000L, 17, 1_764_237_998_800L);
    String json = notice.toJson();
    assertThat(new ObjectMapper().readTree(json).fieldNames()).toIterable()
        .containsExactly("generation", "published_at", "documents", "oldest_produced_at");
    assertThat(GenerationNotice.fromJson(json)).isEqualTo(notice);
  }

  @Test
  void aBareNumberIsAGenerationOfUnknownTime() throws Exception {
    assertThat(GenerationNotice.fromJson(" 7\n")).isEqualTo(new GenerationNotice(7, 0, 0, 0));
  }

  @Test
  void anythingElseIsRefused() {
    for (String bad : new String[] {"", "x", "{}", "{\"generation\":\"7\"}", "[1]", "7x", "{\"generation\":1.5}"}) {
      assertThatThrownBy(() -> GenerationNotice.fromJson(bad)).as(bad).isInstanceOf(IOException.class);
    }
  }

  @Test
  void aWarmRequestSurvivesTheRoundTripAndAnInvalidWindowIsRefused() throws Exception {
    WindowQuery window = new WindowQuery("wing flutter", SearchMode.HYBRID, List.of("aero"), FusionMethod.WEIGHTED,
        Weights.parse("text:0.2,keyword:0.4,vector:1"), 100);
    WarmRequest request = new WarmRequest(42, window, 318, 1);
    byte[] json = request.toJson();
    assertThat(new ObjectMapper().readTree(json).fieldNames()).toIterable()
        .containsExactly("generation", "window", "count", "rank");
    assertThat(WarmRequest.fromJson(json)).isEqualTo(request);
    String text = new String(json, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> WarmRequest.fromJson(text.replace("wing flutter", " ").getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> WarmRequest.fromJson("{\"generation\":1}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class);
  }
}
