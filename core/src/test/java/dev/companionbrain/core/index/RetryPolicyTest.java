package dev.companionbrain.core.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The back-off on an injected clock: nothing here sleeps. */
class RetryPolicyTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final RetryPolicy policy = new RetryPolicy(100, 5_000, 60_000);

  @Test
  void backOffDoublesFromTheInitialStepUpToTheCapWithJitterInTheUpperHalf() {
    List<Long> lows = new ArrayList<>();
    List<Long> highs = new ArrayList<>();
    for (int attempt = 0; attempt < 10; attempt++) {
      lows.add(policy.delay(attempt, 0.0));
      highs.add(policy.delay(attempt, 0.999999));
    }
    assertThat(lows).containsExactly(50L, 100L, 200L, 400L, 800L, 1600L, 2500L, 2500L, 2500L, 2500L);
    assertThat(highs).containsExactly(99L, 199L, 399L, 799L, 1599L, 3199L, 4999L, 4999L, 4999L, 4999L);
    assertThat(policy.delay(1000, 0.5)).as("no overflow far out").isEqualTo(3750L);
  }

  @Test
  void retriesUntilTheToleranceThenFailsOnceNamingTheEngine() {
    RetryPolicy.Outage outage = policy.outage("OpenSearch", now::get, () -> 0.5);
    long waited = 0;
    int tries = 0;
    try {
      while (true) {
        long wait = outage.failed(new IOException("connect timed out"));
        assertThat(wait).isPositive().isLessThanOrEqualTo(5_000);
        waited += wait;
        tries++;
        now.addAndGet(wait);
      }
    } catch (RetryPolicy.EngineUnavailableException e) {
      assertThat(e.engine()).isEqualTo("OpenSearch");
      assertThat(e).hasMessageStartingWith("OpenSearch unavailable for 60 s").hasMessageContaining("connect timed out");
      assertThat(e.getStackTrace()).as("logged as one line").isEmpty();
    }
    assertThat(waited).as("the last wait lands exactly on the tolerance").isEqualTo(60_000);
    assertThat(tries).isBetween(15, 30);
  }

  @Test
  void aRecoveryStartsTheNextOutageAfresh() {
    RetryPolicy.Outage outage = policy.outage("Redis", now::get, () -> 0.0);
    for (int i = 0; i < 5; i++) {
      now.addAndGet(outage.failed("down"));
    }
    assertThat(outage.failing()).isTrue();
    outage.recovered();
    assertThat(outage.failing()).isFalse();
    now.addAndGet(3_600_000);
    assertThat(outage.failed("down again")).as("back at the first step").isEqualTo(50);
    now.addAndGet(59_920);
    assertThat(outage.failed("still")).as("the wait never passes the tolerance").isEqualTo(80);
    now.addAndGet(80);
    assertThatThrownBy(() -> outage.failed("still")).isInstanceOf(RetryPolicy.EngineUnavailableException.class)
        .hasMessageContaining("Redis unavailable for 60 s");
  }

  @Test
  void callReturnsTheFirstSuccess() throws Exception {
    int[] calls = {0};
    String result = new RetryPolicy(1, 2, 10_000).call("Meilisearch", () -> {
      if (++calls[0] < 3) {
        throw new IOException("refused");
      }
      return "ok";
    });
    assertThat(result).isEqualTo("ok");
    assertThat(calls[0]).isEqualTo(3);
  }

  @Test
  void rejectsANonsensePolicy() {
    assertThatThrownBy(() -> new RetryPolicy(0, 10, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(10, 5, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(10, 50, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
