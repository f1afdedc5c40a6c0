package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.core.search.backend.VocabularySuggestions.Suggestion;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class QueryCorrectorTest {
  private final AtomicLong nanos = new AtomicLong();
  private final AtomicInteger asked = new AtomicInteger();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private QueryCorrector corrector(Function<String, CompletableFuture<List<Suggestion>>> suggest) {
    return new QueryCorrector(q -> {
      asked.incrementAndGet();
      return suggest.apply(q);
    }, Duration.ofMillis(50), nanos::get, registry);
  }

  private double count(String outcome) {
    return registry.get("brain_query_corrections").tag("outcome", outcome).counter().count();
  }

  private static CompletableFuture<List<Suggestion>> answer(Suggestion... suggestions) {
    return CompletableFuture.completedFuture(List.of(suggestions));
  }

  @Test
  void eachSuggestionReplacesTheCharactersItCoversAndTheRestIsKept() {
    assertThat(QueryCorrector.applied("Shok wavw, nozle!", List.of(new Suggestion(0, 4, "shock"),
        new Suggestion(5, 4, "wave"), new Suggestion(11, 5, "nozzle")))).isEqualTo("shock wave, nozzle!");
    assertThat(QueryCorrector.applied("flow", List.of())).isEqualTo("flow");
    assertThat(QueryCorrector.applied("ab cd", List.of(new Suggestion(3, 2, "xy")))).isEqualTo("ab xy");
  }

  @Test
  void suggestionsThatOverlapAnEarlierOneOrFallOutsideTheQueryAreLeftOut() {
    assertThat(QueryCorrector.applied("abcd efgh", List.of(new Suggestion(0, 4, "x"), new Suggestion(2, 4, "y"))))
        .as("overlapping the first").isEqualTo("x efgh");
    assertThat(QueryCorrector.applied("abcd", List.of(new Suggestion(2, 3, "y")))).as("past the end").isEqualTo("abcd");
    assertThat(QueryCorrector.applied("abcd", List.of(new Suggestion(2, 2, "y")))).as("up to the end").isEqualTo("aby");
    assertThat(QueryCorrector.applied("abcd", List.of(new Suggestion(1, 0, "y")))).as("empty").isEqualTo("abcd");
    assertThat(QueryCorrector.applied("ab cd", List.of(new Suggestion(3, 2, "x"), new Suggestion(0, 2, "y"))))
        .as("out of order: before one already applied").isEqualTo("ab x");
  }

  @Test
  void aCorrectionIsRememberedForAMinuteAndCounted() {
    QueryCorrector corrector = corrector(q -> q.equals("shok") ? answer(new Suggestion(0, 4, "shock")) : answer());

    assertThat(corrector.remembered("shok")).isNull();
    assertThat(corrector.correction("shok", false).join()).isEqualTo("shock");
    assertThat(corrector.correction("shock", false).join()).isEqualTo("shock");
    assertThat(corrector.correction("shok", false).join()).isEqualTo("shock");
    assertThat(corrector.remembered("shok")).isEqualTo("shock");
    assertThat(corrector.remembered("shock")).as("an unchanged query is remembered too").isEqualTo("shock");
    assertThat(asked).hasValue(2);
    assertThat(count("corrected")).isEqualTo(1);
    assertThat(count("unchanged")).isEqualTo(1);
    nanos.addAndGet(QueryCorrector.REMEMBERED.toNanos() - 1);
    assertThat(corrector.remembered("shok")).isEqualTo("shock");
    nanos.addAndGet(1);
    assertThat(corrector.remembered("shok")).isNull();
    assertThat(corrector.correction("shok", false).join()).isEqualTo("shock");
    assertThat(asked).hasValue(3);
  }

  @Test
  void aFreshCorrectionAsksTheEngineAndIsNotRemembered() {
    QueryCorrector corrector = corrector(q -> answer(new Suggestion(0, 4, "shock")));
    assertThat(corrector.correction("shok", true).join()).isEqualTo("shock");
    assertThat(corrector.remembered("shok")).isNull();
    assertThat(corrector.correction("shok", false).join()).isEqualTo("shock");
    assertThat(corrector.correction("shok", true).join()).isEqualTo("shock");
    assertThat(asked).as("the remembered one is not read either").hasValue(3);
    assertThat(corrector.correction("shok", false).join()).isEqualTo("shock");
    assertThat(asked).hasValue(3);
  }

  @Test
  void aFailedOrLateSuggesterLeavesTheQueryAsWrittenAndIsNotRemembered() {
    QueryCorrector failing = corrector(q -> CompletableFuture.failedFuture(new IOException("refused")));
    assertThat(failing.correction("shok", false).join()).isEqualTo("shok");
    assertThat(failing.remembered("shok")).isNull();
    QueryCorrector late = corrector(q -> new CompletableFuture<>());
    assertThat(late.correction("shok", false).join()).isEqualTo("shok");
    QueryCorrector throwing = corrector(q -> {
      throw new IllegalStateException("client closed");
    });
    assertThat(throwing.correction("shok", false).join()).isEqualTo("shok");
    assertThat(count("failed")).isEqualTo(3);
    assertThat(count("corrected") + count("unchanged")).isZero();
  }

  @Test
  void afterManyFailuresTheSuggesterIsNotAskedForAWhile() {
    QueryCorrector corrector = corrector(q -> CompletableFuture.failedFuture(new IOException("refused")));
    for (int i = 0; i < 10; i++) {
      corrector.correction("q" + i, false).join();
    }
    assertThat(asked).hasValue(10);
    assertThat(corrector.correction("shok", false).join()).isEqualTo("shok");
    assertThat(asked).as("the breaker is open").hasValue(10);
    assertThat(count("failed")).isEqualTo(11);
  }

  @Test
  void anInterruptedSearchKeepsItsInterruptAndItsQuery() {
    QueryCorrector corrector = corrector(q -> new CompletableFuture<>());
    Thread.currentThread().interrupt();
    try {
      assertThat(corrector.correction("shok", false).join()).isEqualTo("shok");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(count("failed")).isEqualTo(1);
  }

  @Test
  void aCorrectionSettlesWhenTheEngineAnswersAndARememberedOneAtOnce() {
    CompletableFuture<List<Suggestion>> engine = new CompletableFuture<>();
    QueryCorrector corrector = corrector(q -> engine);
    CompletableFuture<String> correction = corrector.correction("shok", false);
    assertThat(correction).as("asked, not yet answered").isNotDone();
    assertThat(corrector.remembered("shok")).isNull();
    engine.complete(List.of(new Suggestion(0, 4, "shock")));
    assertThat(correction).isCompletedWithValue("shock");
    assertThat(corrector.correction("shok", false)).as("remembered").isCompletedWithValue("shock");
    assertThat(asked).hasValue(1);
    assertThat(count("corrected")).isEqualTo(1);
  }

  @Test
  void aLateSuggesterIsGivenUpAfterTheTimeoutWithoutItsOwnFutureBeingCompleted() {
    CompletableFuture<List<Suggestion>> engine = new CompletableFuture<>();
    QueryCorrector corrector = corrector(q -> engine);
    assertThat(corrector.correction("shok", false).join()).isEqualTo("shok");
    assertThat(engine).as("the engine's request is the client's to end").isNotDone();
    assertThat(count("failed")).isEqualTo(1);
    engine.complete(List.of(new Suggestion(0, 4, "shock")));
    assertThat(corrector.remembered("shok")).as("a late answer is not remembered").isNull();
  }

  @Test
  void answersBetweenFailuresKeepTheBreakerClosed() {
    AtomicInteger calls = new AtomicInteger();
    QueryCorrector corrector = corrector(q -> calls.incrementAndGet() % 3 == 0
        ? CompletableFuture.failedFuture(new IOException("refused")) : answer());
    for (int i = 0; i < 36; i++) {
      corrector.correction("q" + i, true).join();
    }
    assertThat(count("failed")).isEqualTo(12);
    corrector.correction("shok", true).join();
    assertThat(asked).as("a third failing is below the breaker's rate").hasValue(37);
  }
}
