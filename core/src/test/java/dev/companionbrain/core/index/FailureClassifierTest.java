package dev.companionbrain.core.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.core.index.FailureClassifier.Outcome;
import org.junit.jupiter.api.Test;

class FailureClassifierTest {
  @Test
  void meilisearchInvalidDocumentIsDeadLettered() {
    assertThat(FailureClassifier.meilisearchTask("invalid_request", "invalid_document_id")).isEqualTo(Outcome.DEAD_LETTER);
    assertThat(FailureClassifier.meilisearchTask("invalid_request", "invalid_document_fields")).isEqualTo(Outcome.DEAD_LETTER);
  }

  @Test
  void meilisearchMissingIndexIsRetried() {
    assertThat(FailureClassifier.meilisearchTask("invalid_request", "index_not_found")).isEqualTo(Outcome.RETRY);
  }

  @Test
  void meilisearchInternalOrUnknownErrorsAreRetried() {
    assertThat(FailureClassifier.meilisearchTask("internal", "unretrievable_document")).isEqualTo(Outcome.RETRY);
    assertThat(FailureClassifier.meilisearchTask("internal", null)).isEqualTo(Outcome.RETRY);
    assertThat(FailureClassifier.meilisearchTask("system", "no_space_left_on_device")).isEqualTo(Outcome.RETRY);
    assertThat(FailureClassifier.meilisearchTask(null, null)).isEqualTo(Outcome.RETRY);
  }

  @Test
  void elasticsearchVersionConflictIsIgnored() {
    assertThat(FailureClassifier.elasticsearchItem(409, "version_conflict_engine_exception")).isEqualTo(Outcome.IGNORE);
  }

  @Test
  void elasticsearchOverloadAndServerErrorsAreRetried() {
    assertThat(FailureClassifier.elasticsearchItem(429, "es_rejected_execution_exception")).isEqualTo(Outcome.RETRY);
    assertThat(FailureClassifier.elasticsearchItem(429, null)).isEqualTo(Outcome.RETRY);
    assertThat(FailureClassifier.elasticsearchItem(503, "unavailable_shards_exception")).isEqualTo(Outcome.RETRY);
    assertThat(FailureClassifier.elasticsearchItem(500, null)).isEqualTo(Outcome.RETRY);
  }

  @Test
  void elasticsearchDocumentErrorsAreDeadLettered() {
    assertThat(FailureClassifier.elasticsearchItem(400, "mapper_parsing_exception")).isEqualTo(Outcome.DEAD_LETTER);
    assertThat(FailureClassifier.elasticsearchItem(400, "document_parsing_exception")).isEqualTo(Outcome.DEAD_LETTER);
    assertThat(FailureClassifier.elasticsearchItem(400, "strict_dynamic_mapping_exception")).isEqualTo(Outcome.DEAD_LETTER);
    assertThat(FailureClassifier.elasticsearchItem(400, "illegal_argument_exception")).isEqualTo(Outcome.DEAD_LETTER);
  }

  @Test
  void elasticsearchIngestPipelineRefusalIsDeadLetteredThoughItsStatusIs500() {
    // what OpenSearch 2 answers for a document a `fail` processor of the default pipeline refuses
    assertThat(FailureClassifier.elasticsearchItem(500, "fail_processor_exception")).isEqualTo(Outcome.DEAD_LETTER);
    assertThat(FailureClassifier.elasticsearchItem(500, "exception")).isEqualTo(Outcome.RETRY);
  }

  @Test
  void elasticsearchMissingIndexOrCredentialsAreRetriedNeverDeadLettered() {
    assertThat(FailureClassifier.elasticsearchItem(404, "index_not_found_exception")).isEqualTo(Outcome.RETRY);
    assertThat(FailureClassifier.elasticsearchItem(403, "security_exception")).isEqualTo(Outcome.RETRY);
    assertThat(FailureClassifier.elasticsearchItem(401, null)).isEqualTo(Outcome.RETRY);
  }
}
