package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.core.cache.GenerationNotice;
import org.junit.jupiter.api.Test;

class GenerationClockTest {
  private final GenerationClock clock = new GenerationClock();

  @Test
  void aWindowIsStaleFromTheMomentTheNextGenerationWasPublished() {
    assertThat(clock.observe(new GenerationNotice(4, 1000, 1, 900), 1010)).isTrue();
    assertThat(clock.observe(new GenerationNotice(5, 2000, 1, 1900), 2300)).isTrue();
    assertThat(clock.observe(new GenerationNotice(5, 2000, 1, 1900), 2400)).as("known already").isFalse();
    assertThat(clock.current()).isEqualTo(5);
    assertThat(clock.staleMillis(5, 9999)).isZero();
    assertThat(clock.staleMillis(6, 9999)).as("newer than known").isZero();
    assertThat(clock.staleMillis(4, 2600)).as("from the notice's own time, not when it was learned").isEqualTo(600);
    assertThat(clock.staleMillis(3, 2600)).as("when 4 was published").isEqualTo(1600);
    assertThat(clock.staleMillis(2, 2600)).as("never learned when 3 was").isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aNoticeWithoutTimeCountsFromWhenItWasLearnedAndAnOlderOneNeverMovesBack() {
    clock.observe(new GenerationNotice(8, 0, 0, 0), 5000);
    assertThat(clock.observe(new GenerationNotice(7, 4000, 1, 0), 5100)).isFalse();
    assertThat(clock.current()).isEqualTo(8);
    assertThat(clock.staleMillis(7, 5200)).isEqualTo(200);
  }
}
