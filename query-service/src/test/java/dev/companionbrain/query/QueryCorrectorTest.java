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
    assertThat(corrector.correct("shok")).isEqualTo("shock");
    assertThat(corrector.correct("shock")).isEqualTo("shock");
    assertThat(corrector.correct("shok")).isEqualTo("shock");
    assertThat(corrector.remembered("shok")).isEqualTo("shock");
    assertThat(corrector.remembered("shock")).as("an unchanged query is remembered too").isEqualTo("shock");
    assertThat(asked).hasValue(2);
    assertThat(count("corrected")).isEqualTo(1);
    assertThat(count("unchanged")).isEqualTo(1);
    nanos.addAndGet(QueryCorrector.REMEMBERED.toNanos() - 1);
    assertThat(corrector.remembered("shok")).isEqualTo("shock");
    nanos.addAndGet(1);
    assertThat(corrector.remembered("shok")).isNull();
    assertThat(corrector.correct("shok")).isEqualTo("shock");
    assertThat(asked).hasValue(3);
  }

  @Test
  void aFreshCorrectionAsksTheEngineAndIsNotRemembered() {
    QueryCorrector corrector = corrector(q -> answer(new Suggestion(0, 4, "shock")));
    assertThat(corrector.correct("shok", true)).isEqualTo("shock");
    assertThat(corrector.remembered("shok")).isNull();
    assertThat(corrector.correct("shok")).isEqualTo("shock");
    assertThat(corrector.correct("shok", true)).isEqualTo("shock");
    assertThat(asked).as("the remembered one is not read either").hasValue(3);
    assertThat(corrector.correct("shok", false)).isEqualTo("shock");
    assertThat(asked).hasValue(3);
  }

  @Test
  void aFailedOrLateSuggesterLeavesTheQueryAsWrittenAndIsNotRemembered() {
    QueryCorrector failing = corrector(q -> CompletableFuture.failedFuture(new IOException("refused")));
    assertThat(failing.correct("shok")).isEqualTo("shok");
    assertThat(failing.remembered("shok")).isNull();
    QueryCorrector late = corrector(q -> new CompletableFuture<>());
    assertThat(late.correct("shok")).isEqualTo("shok");
    QueryCorrector throwing = corrector(q -> {
      throw new IllegalStateException("client closed");
    });
    assertThat(throwing.correct("shok")).isEqualTo("shok");
    assertThat(count("failed")).isEqualTo(3);
    assertThat(count("corrected") + count("unchanged")).isZero();
  }

  @Test
  void afterManyFailuresTheSuggesterIsNotAskedForAWhile() {
    QueryCorrector corrector = corrector(q -> CompletableFuture.failedFuture(new IOException("refused")));
    for (int i = 0; i < 10; i++) {
      corrector.correct("q" + i);
    }
    assertThat(asked).hasValue(10);
    assertThat(corrector.correct("shok")).isEqualTo("shok");
    assertThat(asked).as("the breaker is open").hasValue(10);
    assertThat(count("failed")).isEqualTo(11);
  }

  @Test
  void anInterruptedSearchKeepsItsInterruptAndItsQuery() {
    QueryCorrector corrector = corrector(q -> new CompletableFuture<>());
    Thread.currentThread().interrupt();
    try {
      assertThat(corrector.correct("shok")).isEqualTo("shok");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(count("failed")).isEqualTo(1);
  }
}
