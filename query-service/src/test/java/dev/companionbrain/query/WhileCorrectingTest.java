package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** A search answered while its correction is asked, with the answers and the correction injected. */
class WhileCorrectingTest {
  private final List<String> answered = new ArrayList<>();
  private final CompletableFuture<String> correction = new CompletableFuture<>();

  /** Answers "answer of q"; the correction settles on {@code corrected} while the first answer is computed. */
  private Function<String, String> answerSettling(String corrected) {
    return q -> {
      answered.add(q);
      correction.complete(corrected);
      return "answer of " + q;
    };
  }

  @Test
  void anUnchangedQueryKeepsTheAnswerComputedWhileItsCorrectionWasAsked() {
    WhileCorrecting.Answered<String, String> result = WhileCorrecting.answer("shock", correction, answerSettling("shock"));
    assertThat(result.query()).isEqualTo("shock");
    assertThat(result.answer()).isEqualTo("answer of shock");
    assertThat(answered).containsExactly("shock");
  }

  @Test
  void aCorrectedQueryIsAnsweredAgainAndTheFirstAnswerDropped() {
    WhileCorrecting.Answered<String, String> result = WhileCorrecting.answer("shok", correction, answerSettling("shock"));
    assertThat(result.query()).isEqualTo("shock");
    assertThat(result.answer()).isEqualTo("answer of shock");
    assertThat(answered).containsExactly("shok", "shock");
  }

  @Test
  void anEqualQueryIsTheQueryAsWritten() {
    WhileCorrecting.Answered<String, String> result = WhileCorrecting.answer("shock", correction,
        answerSettling(new String("shock")));
    assertThat(answered).containsExactly("shock");
    assertThat(result.answer()).isEqualTo("answer of shock");
  }

  @Test
  void aCorrectionKnownAtOnceIsTheOnlyQueryAnswered() {
    WhileCorrecting.Answered<String, String> result = WhileCorrecting.answer("shok",
        CompletableFuture.completedFuture("shock"), answerSettling("unused"));
    assertThat(result.query()).isEqualTo("shock");
    assertThat(result.answer()).isEqualTo("answer of shock");
    assertThat(answered).containsExactly("shock");
  }

  @Test
  void aFailedOrEmptyCorrectionLeavesTheQueryAsWritten() {
    WhileCorrecting.Answered<String, String> failedAtOnce = WhileCorrecting.answer("shok",
        CompletableFuture.failedFuture(new IllegalStateException("suggester")), answerSettling("unused"));
    assertThat(failedAtOnce.query()).isEqualTo("shok");
    assertThat(failedAtOnce.answer()).isEqualTo("answer of shok");
    assertThat(answered).containsExactly("shok");

    answered.clear();
    CompletableFuture<String> failing = new CompletableFuture<>();
    WhileCorrecting.Answered<String, String> failedLater = WhileCorrecting.answer("shok", failing, q -> {
      answered.add(q);
      failing.completeExceptionally(new IllegalStateException("suggester"));
      return "answer of " + q;
    });
    assertThat(failedLater.query()).isEqualTo("shok");
    assertThat(failedLater.answer()).isEqualTo("answer of shok");
    assertThat(answered).containsExactly("shok");

    CompletableFuture<String> cancelled = new CompletableFuture<>();
    assertThat(WhileCorrecting.answer("shok", cancelled, q -> {
      cancelled.cancel(false);
      return "answer of " + q;
    }).query()).isEqualTo("shok");
    assertThat(WhileCorrecting.answer("shok", CompletableFuture.completedFuture(null), q -> "answer of " + q).query())
        .isEqualTo("shok");
    CompletableFuture<String> none = new CompletableFuture<>();
    assertThat(WhileCorrecting.answer("shok", none, q -> {
      none.complete(null);
      return "answer of " + q;
    })).isEqualTo(new WhileCorrecting.Answered<>("shok", "answer of shok"));
  }

  @Test
  void theFirstAnswersFailureIsTheSearchsOnlyWhenTheQueryIsKept() {
    Function<String, String> failingAsWritten = q -> {
      answered.add(q);
      if (q.equals("shok")) {
        correction.complete("shock");
        throw new ApiException(503, "unavailable", "every retriever failed");
      }
      return "answer of " + q;
    };
    assertThat(WhileCorrecting.answer("shok", correction, failingAsWritten).answer()).isEqualTo("answer of shock");
    assertThat(answered).containsExactly("shok", "shock");

    CompletableFuture<String> unchanged = new CompletableFuture<>();
    assertThatThrownBy(() -> WhileCorrecting.answer("shok", unchanged, q -> {
      unchanged.complete(q);
      throw new ApiException(503, "unavailable", "every retriever failed");
    })).isInstanceOf(ApiException.class).hasMessageContaining("every retriever failed");
  }

  @Test
  void theCorrectedAnswersFailureIsTheSearchs() {
    assertThatThrownBy(() -> WhileCorrecting.answer("shok", correction, q -> {
      correction.complete("shock");
      if (q.equals("shock")) {
        throw new ApiException(429, "too_many", "busy");
      }
      return "answer of " + q;
    })).isInstanceOf(ApiException.class).hasMessage("busy");
  }
}
