package dev.companionbrain.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.document.Document;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class HydrationEntryTest {
  @Test
  void anEntrySurvivesTheRoundTripInSnakeCaseWithASnippetAndNoBody() throws Exception {
    Document d = new Document("doc-1", "Title", "body ".repeat(200), List.of("aero"), "https://x", "2026-11-27T10:00:00Z");
    HydrationEntry entry = HydrationEntry.of(d);
    String json = entry.toJson();
    assertThat(new ObjectMapper().readTree(json).fieldNames()).toIterable()
        .containsExactlyInAnyOrder("id", "title", "url", "tags", "updated_at", "snippet");
    assertThat(entry.snippet()).isEqualTo(d.snippet());
    assertThat(HydrationEntry.fromJson(json)).isEqualTo(entry);
  }

  @Test
  void missingTagsAreNoTags() throws Exception {
    assertThat(HydrationEntry.fromJson("{\"id\":\"a\",\"title\":\"t\"}").tags()).isEmpty();
  }

  @Test
  void somethingElseIsRefused() {
    assertThatThrownBy(() -> HydrationEntry.fromJson("{nope")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> HydrationEntry.fromJson("{\"title\":\"no id\"}")).isInstanceOf(IOException.class);
  }
}
