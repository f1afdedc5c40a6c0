package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.companionbrain.query.ComputeLimit.Priority;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The computations' limit without engines: nested runs hold permits (a run inside a run is two
 * computations at once), and the adaptive limit's clock is the test's.
 */
class ComputeLimitTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong nanos = new AtomicLong();

  private double refused(String priority) {
    return registry.get("brain_compute_refused").tag("priority", priority).counter().count();
  }

  @Test
  void aFixedLimitRefusesTheAnswerPastItAndCountsIt() {
    ComputeLimit limit = ComputeLimit.fixed(2, registry);
    Optional<Optional<Optional<String>>> nested = limit.run(Priority.ANSWER,
        () -> limit.run(Priority.ANSWER, () -> limit.run(Priority.ANSWER, () -> "third")));
    assertThat(nested).hasValue(Optional.of(Optional.empty()));
    assertThat(refused("answer")).isEqualTo(1);
    assertThat(refused("background")).isZero();
    assertThat(limit.inFlight()).isZero();
    assertThat(limit.limit()).isEqualTo(2);
    assertThat(limit).hasToString("fixed at 2");
  }

  @Test
  void backgroundWorkStartsOnlyWhileLessThanHalfTheLimitIsTaken() {
    ComputeLimit limit = ComputeLimit.fixed(4, registry);
    assertThat(limit.run(Priority.BACKGROUND, () -> "alone")).hasValue("alone");
    // one running of four: the background may still start (2 of 4 would then be taken)
    assertThat(limit.run(Priority.ANSWER, () -> limit.run(Priority.BACKGROUND, () -> "beside one")))
        .hasValue(Optional.of("beside one"));
    // two running of four: half is taken, the background waits its turn; an answer is still admitted
    assertThat(limit.run(Priority.ANSWER, () -> limit.run(Priority.ANSWER,
        () -> limit.run(Priority.BACKGROUND, () -> "refused")))).hasValue(Optional.of(Optional.empty()));
    assertThat(limit.run(Priority.ANSWER, () -> limit.run(Priority.ANSWER,
        () -> limit.run(Priority.ANSWER, () -> "answer")))).hasValue(Optional.of(Optional.of("answer")));
    assertThat(refused("background")).isEqualTo(1);
    assertThat(refused("answer")).isZero();
  }

  @Test
  void aLimitOfOneRunsBackgroundWorkOnlyWhenNothingElseRuns() {
    ComputeLimit limit = ComputeLimit.fixed(1, registry);
    assertThat(limit.backgroundMayStart()).isTrue();
    assertThat(limit.run(Priority.BACKGROUND, () -> "idle")).hasValue("idle");
    assertThat(limit.run(Priority.ANSWER, () -> limit.backgroundMayStart())).hasValue(false);
  }

  @Test
  void aComputationThatThrowsGivesItsPermitBack() {
    ComputeLimit limit = ComputeLimit.fixed(1, registry);
    assertThatThrownBy(() -> limit.run(Priority.ANSWER, () -> {
      assertThat(limit.inFlight()).isEqualTo(1);
      throw new IllegalStateException("engine down");
    })).isInstanceOf(IllegalStateException.class).hasMessage("engine down");
    assertThat(limit.inFlight()).isZero();
    assertThat(limit.run(Priority.ANSWER, () -> "next")).hasValue("next");
  }

  @Test
  void limitsBelowTheirLeastAreRefused() {
    assertThatThrownBy(() -> ComputeLimit.fixed(0, registry)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1, got 0");
    assertThatThrownBy(() -> ComputeLimit.adaptive(0, nanos::get, registry)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1, got 0");
    ComputeLimit one = ComputeLimit.adaptive(1, nanos::get, new SimpleMeterRegistry());
    assertThat(one).as("nothing to adapt below 2").hasToString("fixed at 1");
    assertThat(ComputeLimit.adaptive(2, nanos::get, new SimpleMeterRegistry()).limit()).isEqualTo(2);
  }

  @Test
  void theLimitAndWhatRunsAreGauges() {
    ComputeLimit limit = ComputeLimit.fixed(3, registry);
    limit.run(Priority.ANSWER, () -> {
      assertThat(registry.get("brain_compute_in_flight").gauge().value()).isEqualTo(1);
      return "done";
    });
    assertThat(registry.get("brain_compute_limit").gauge().value()).isEqualTo(3);
    assertThat(registry.get("brain_compute_in_flight").gauge().value()).isZero();
  }

  /** {@code depth} computations at once, all of them taking the same {@code millis} of the test's clock. */
  private void nested(ComputeLimit limit, int depth, long millis) {
    limit.run(Priority.ANSWER, () -> {
      if (depth > 1) {
        nested(limit, depth - 1, millis);
      } else {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
      }
      return depth;
    });
  }

  @Test
  void anAdaptiveLimitStartsAtEightGrowsWhileLatencyHoldsAndFallsWhenLatencyRisesUnderLoad() {
    ComputeLimit limit = ComputeLimit.adaptive(64, nanos::get, registry);
    assertThat(limit.limit()).isEqualTo(ComputeLimit.INITIAL_ADAPTIVE);
    assertThat(limit).hasToString("adaptive, 2 to 64");
    for (int i = 0; i < 200; i++) {
      nested(limit, 6, 1);
    }
    int grown = limit.limit();
    assertThat(grown).as("latency held with 6 of 8 running").isGreaterThan(ComputeLimit.INITIAL_ADAPTIVE);
    for (int i = 0; i < 100; i++) {
      nested(limit, 1, 50);
    }
    assertThat(limit.limit()).as("one at a time says nothing of the limit (the library's app-limited rule)").isEqualTo(grown);
    for (int i = 0; i < 10; i++) {
      nested(limit, grown, 50);
    }
    // the gradient follows a change of latency: once the long-run average has caught up, it grows again
    assertThat(limit.limit()).as("latency 50 times its average").isLessThan(ComputeLimit.INITIAL_ADAPTIVE).isGreaterThanOrEqualTo(ComputeLimit.MIN_ADAPTIVE);
  }

  @Test
  void anAdaptiveLimitNeverPassesItsCeiling() {
    ComputeLimit limit = ComputeLimit.adaptive(3, nanos::get, registry);
    assertThat(limit.limit()).isEqualTo(3);
    for (int i = 0; i < 200; i++) {
      nested(limit, 3, 1);
    }
    assertThat(limit.limit()).isEqualTo(3);
  }
}
