package dev.companionbrain.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Scenario D's deletes: which operations, which copies, when (time given by hand). */
class DeleteScheduleTest {
  private static final long S = 1_000_000_000L;

  @Test
  void everyThirdOperationDeletesTheOldestCopyOnceItIsOldEnough() {
    DeleteSchedule d = new DeleteSchedule(3, 10 * S);
    d.written("c0", 0);
    d.written("c1", S);
    assertThat(d.victim(2, 9 * S)).as("not out 10 s yet: the turn writes instead").isNull();
    assertThat(d.victim(0, 20 * S)).as("not a delete's turn").isNull();
    assertThat(d.victim(1, 20 * S)).isNull();
    assertThat(d.victim(2, 10 * S)).isEqualTo("c0");
    assertThat(d.victim(5, 10 * S)).as("c1 is out 9 s").isNull();
    assertThat(d.victim(5, 11 * S)).isEqualTo("c1");
    assertThat(d.victim(8, 100 * S)).as("each copy is deleted once").isNull();
  }

  @Test
  void aDeleteNeedsAnotherOperationBesideIt() {
    assertThatThrownBy(() -> new DeleteSchedule(1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
