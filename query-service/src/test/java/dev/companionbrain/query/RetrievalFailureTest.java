package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.core.search.backend.BackendException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RetrievalFailureTest {
  @ParameterizedTest
  @CsvSource({"500, BACKEND", "502, BACKEND", "503, BACKEND", "429, BACKEND", "408, BACKEND", "400, REQUEST",
      "413, REQUEST", "414, REQUEST", "422, REQUEST", "401, OTHER", "403, OTHER", "404, OTHER", "200, BACKEND"})
  void anEnginesAnswerIsClassifiedByItsStatus(int status, RetrievalFailure expected) {
    assertThat(RetrievalFailure.of(new BackendException("meilisearch", status, "body"))).isEqualTo(expected);
  }

  @Test
  void timeoutsAndConnectionErrorsAreTheBackends() {
    assertThat(RetrievalFailure.of(new TimeoutException())).isEqualTo(RetrievalFailure.BACKEND);
    assertThat(RetrievalFailure.of(new ConnectException("refused"))).isEqualTo(RetrievalFailure.BACKEND);
    assertThat(RetrievalFailure.of(new SocketTimeoutException())).isEqualTo(RetrievalFailure.BACKEND);
    assertThat(RetrievalFailure.of(new CompletionException(new IOException("reset")))).isEqualTo(RetrievalFailure.BACKEND);
  }

  @Test
  void theEmbeddersRefusalIsTheRequestsAndOurOwnOverloadIsNeither() {
    assertThat(RetrievalFailure.of(new CompletionException(new IllegalArgumentException("Cannot embed empty text"))))
        .isEqualTo(RetrievalFailure.REQUEST);
    assertThat(RetrievalFailure.of(new RejectedExecutionException())).isEqualTo(RetrievalFailure.OTHER);
    assertThat(RetrievalFailure.of(new NullPointerException())).isEqualTo(RetrievalFailure.OTHER);
  }
}
