package dev.companionbrain.core.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IndexVersionsTest {
  @Test
  void versionZeroIsTheIndexItselfAndTheOthersCarryTheirNumber() {
    assertThat(IndexVersions.elasticsearch("documents", 0)).isEqualTo("documents");
    assertThat(IndexVersions.elasticsearch("documents", 1)).isEqualTo("documents_v1");
    assertThat(IndexVersions.elasticsearch("documents", 12)).isEqualTo("documents_v12");
    assertThat(IndexVersions.elasticsearch("documents", IndexVersions.SERVED)).isEqualTo("documents");
    assertThatThrownBy(() -> IndexVersions.elasticsearch("documents", -2)).hasMessageContaining("-2");
  }

  @Test
  void meilisearchKeepsThePlainNameForTheVersionAStackStartsWith() {
    assertThat(IndexVersions.meilisearch("documents", IndexVersions.SERVED)).isEqualTo("documents");
    assertThat(IndexVersions.meilisearch("documents", 0)).isEqualTo("documents");
    assertThat(IndexVersions.meilisearch("documents", 1)).isEqualTo("documents");
    assertThat(IndexVersions.meilisearch("documents", 2)).isEqualTo("documents_v2");
    assertThat(IndexVersions.meilisearch("documents", 13)).isEqualTo("documents_v13");
    assertThatThrownBy(() -> IndexVersions.meilisearch("documents", -2)).hasMessageContaining("-2");
  }

  @Test
  void aReindexFillsOnePastTheHighestVersionAndNeverOneThatSharesMeilisearchsPlainName() {
    assertThat(IndexVersions.next(java.util.List.of())).isEqualTo(2);
    assertThat(IndexVersions.next(java.util.List.of(0))).as("0 and 1 share a Meilisearch name").isEqualTo(2);
    assertThat(IndexVersions.next(java.util.List.of(1))).isEqualTo(2);
    assertThat(IndexVersions.next(java.util.List.of(1, 2))).isEqualTo(3);
    assertThat(IndexVersions.next(java.util.List.of(4, 2))).isEqualTo(5);
  }

  @Test
  void aPhysicalNameTellsItsVersionOnlyWhenItIsOneOfTheIndexs() {
    assertThat(IndexVersions.versionOf("documents", "documents")).contains(0);
    assertThat(IndexVersions.versionOf("documents", "documents_v1")).contains(1);
    assertThat(IndexVersions.versionOf("documents", "documents_v23")).contains(23);
    assertThat(IndexVersions.versionOf("documents", "documents_v0")).isEmpty();
    assertThat(IndexVersions.versionOf("documents", "documents_v01")).isEmpty();
    assertThat(IndexVersions.versionOf("documents", "documents_vx")).isEmpty();
    assertThat(IndexVersions.versionOf("documents", "documents-other")).isEmpty();
    assertThat(IndexVersions.versionOf("documents", "documents_standby")).isEmpty();
    assertThat(IndexVersions.versionOf("documents", "documents_v2x")).isEmpty();
    assertThat(IndexVersions.versionOf("docs.a", "docsXa_v1")).as("the name is quoted, not a pattern").isEmpty();
    assertThat(IndexVersions.versionOf("docs.a", "docs.a_v2")).contains(2);
  }

  @Test
  void theAliasMovesInOneCallOffTheVersionItServedOrOverAnIndexMadeBeforeVersions() throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(json.readTree(IndexVersions.aliasActions("docs", java.util.Optional.empty(), "docs_v1")))
        .isEqualTo(json.readTree("{\"actions\":[{\"add\":{\"index\":\"docs_v1\",\"alias\":\"docs\"}}]}"));
    assertThat(json.readTree(IndexVersions.aliasActions("docs", java.util.Optional.of("docs_v1"), "docs_v2")))
        .isEqualTo(json.readTree("{\"actions\":[{\"remove\":{\"index\":\"docs_v1\",\"alias\":\"docs\"}},"
            + "{\"add\":{\"index\":\"docs_v2\",\"alias\":\"docs\"}}]}"));
    assertThat(json.readTree(IndexVersions.aliasActions("docs", java.util.Optional.of("docs"), "docs_v1")))
        .isEqualTo(json.readTree("{\"actions\":[{\"remove_index\":{\"index\":\"docs\"}},"
            + "{\"add\":{\"index\":\"docs_v1\",\"alias\":\"docs\"}}]}"));
    assertThat(IndexVersions.aliasActions("d\"x", java.util.Optional.empty(), "d\"x_v1")).contains("\"d\\\"x_v1\"");
  }
}
