package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.core.cache.GenerationNotice;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a run of generations changed, and the clock that keeps each generation's changes. */
class GenerationChangesTest {
  @Test
  void theLaterOperationOnAnIdWins() {
    GenerationChanges first = GenerationChanges.of(List.of("a", "b"), List.of("c"));
    GenerationChanges then = first.then(GenerationChanges.of(List.of("c"), List.of("a")));
    assertThat(then.upserted()).containsExactlyInAnyOrder("b", "c");
    assertThat(then.deleted()).containsExactly("a");
    assertThat(then.size()).isEqualTo(3);
    assertThat(then.touches("a")).isTrue();
    assertThat(then.touches("c")).isTrue();
    assertThat(then.touches("z")).isFalse();
    assertThat(GenerationChanges.of(List.of("x"), List.of("x")).upserted()).isEmpty();
    assertThat(GenerationChanges.NONE.then(first)).isEqualTo(first);
  }

  @Test
  void theClockJoinsTheChangesOfConsecutiveGenerationsAndKnowsWhenOneIsMissing() {
    GenerationClock clock = new GenerationClock();
    List<Long> announced = new ArrayList<>();
    clock.onNewGeneration(announced::add);
    clock.observe(new GenerationNotice(1, 100, 1, 0, List.of("a"), List.of()), 100);
    clock.observe(new GenerationNotice(2, 200, 1, 0, List.of(), List.of("a")), 200);
    clock.observe(new GenerationNotice(2, 200, 1, 0, List.of(), List.of("a")), 210); // again: not new
    assertThat(announced).containsExactly(1L, 2L);
    assertThat(clock.changes(0, 2)).hasValue(GenerationChanges.of(List.of(), List.of("a")));
    assertThat(clock.changes(1, 2)).hasValue(GenerationChanges.of(List.of(), List.of("a")));
    assertThat(clock.changes(2, 2)).hasValue(GenerationChanges.NONE);
    clock.observe(new GenerationNotice(3, 300, 9000, 0), 300); // lists nothing
    assertThat(clock.changes(1, 3)).isEmpty();
    clock.observe(new GenerationNotice(5, 500, 1, 0, List.of("b"), List.of()), 500); // 4 was missed
    assertThat(clock.changes(3, 5)).isEmpty();
    assertThat(clock.changes(4, 5)).hasValue(GenerationChanges.of(List.of("b"), List.of()));
    assertThat(clock.changes(0, 5000)).isEmpty();
    assertThat(announced).containsExactly(1L, 2L, 3L, 5L);
  }
}
