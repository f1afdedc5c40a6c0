package dev.companionbrain.core.index;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A missing index or bad credentials must not dead-letter every document of the stream. */
class FailureClassifierRegressionTest {
  @Test
  void missingIndexAndAuthFailuresAreRetriedNotDeadLettered() {
    assertThat(FailureClassifier.elasticsearchItem(404, "index_not_found_exception")).isEqualTo(FailureClassifier.Outcome.RETRY);
    assertThat(FailureClassifier.elasticsearchItem(401, "security_exception")).isEqualTo(FailureClassifier.Outcome.RETRY);
    assertThat(FailureClassifier.elasticsearchItem(403, "security_exception")).isEqualTo(FailureClassifier.Outcome.RETRY);
  }
}
