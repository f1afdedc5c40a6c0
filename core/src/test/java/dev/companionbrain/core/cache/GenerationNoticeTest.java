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
  void aNoticeListingItsChangesSurvivesTheRoundTrip() throws Exception {
    GenerationNotice notice = new GenerationNotice(42, 1_764_238_000_000L, 3, 1_764_237_998_800L,
        List.of("doc-1", "doc-7"), List.of("doc-3"));
    String json = notice.toJson();

    assertThat(json).isEqualTo("{\"generation\":42,\"published_at\":1764238000000,\"documents\":3,"
        + "\"oldest_produced_at\":1764237998800,\"upserted\":[\"doc-1\",\"doc-7\"],\"deleted\":[\"doc-3\"]}");
    assertThat(GenerationNotice.fromJson(json)).isEqualTo(notice);
    assertThat(GenerationNotice.fromJson(json).listsChanges()).isTrue();
  }

  @Test
  void aNoticeOfAnOlderJobListsNoChanges() throws Exception {
    GenerationNotice old = GenerationNotice.fromJson(
        "{\"generation\":42,\"published_at\":1764238000000,\"documents\":17,\"oldest_produced_at\":1764237998800}");

    assertThat(old).isEqualTo(new GenerationNotice(42, 1_764_238_000_000L, 17, 1_764_237_998_800L));
    assertThat(old.upserted()).isNull();
    assertThat(old.deleted()).isNull();
    assertThat(old.listsChanges()).isFalse();
    assertThat(GenerationNotice.fromJson("7").listsChanges()).isFalse();
  }

  @Test
  void emptyListsSayNothingChangedAbsentListsSayItIsNotListed() throws Exception {
    GenerationNotice empty = new GenerationNotice(5, 1000, 0, 0, List.of(), List.of());
    assertThat(empty.listsChanges()).isTrue();
    assertThat(empty.toJson()).contains("\"upserted\":[]", "\"deleted\":[]");
    assertThat(GenerationNotice.fromJson(empty.toJson())).isEqualTo(empty);

    GenerationNotice unlisted = new GenerationNotice(5, 1000, 2_000, 0, null, null);
    assertThat(unlisted.listsChanges()).isFalse();
    assertThat(unlisted.toJson()).doesNotContain("upserted", "deleted");
    assertThat(GenerationNotice.fromJson("{\"generation\":5,\"upserted\":null,\"deleted\":null}").listsChanges())
        .isFalse();

    assertThat(new GenerationNotice(5, 1000, 1, 0, List.of("a"), null).listsChanges()).as("one list only").isFalse();
    assertThat(new GenerationNotice(5, 1000, 1, 0, null, List.of("a")).listsChanges()).as("one list only").isFalse();
  }

  @Test
  void theListsAreCopies() {
    List<String> ids = new java.util.ArrayList<>(List.of("a"));
    GenerationNotice notice = new GenerationNotice(5, 1000, 1, 0, ids, List.of());
    ids.add("b");

    assertThat(notice.upserted()).containsExactly("a");
    assertThatThrownBy(() -> notice.upserted().add("c")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aBareNumberIsAGenerationOfUnknownTime() throws Exception {
    assertThat(GenerationNotice.fromJson(" 7\n")).isEqualTo(new GenerationNotice(7, 0, 0, 0));
  }

  @Test
  void anythingElseIsRefused() {
    for (String bad : new String[] {"", "x", "{}", "{\"generation\":\"7\"}", "[1]", "7x", "{\"generation\":1.5}",
        "{\"generation\":1,\"upserted\":[null],\"deleted\":[]}"}) {
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
