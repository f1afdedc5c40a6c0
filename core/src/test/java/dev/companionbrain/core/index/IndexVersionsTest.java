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
    assertThatThrownBy(() -> IndexVersions.elasticsearch("documents", -1)).hasMessageContaining("-1");
    assertThat(IndexVersions.standby("documents")).isEqualTo("documents_standby");
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
