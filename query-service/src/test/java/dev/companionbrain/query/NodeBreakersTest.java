package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NodeBreakersTest {
  private final NodeBreakers breakers = new NodeBreakers(CircuitBreakerConfig.custom()
      .slidingWindowSize(4).minimumNumberOfCalls(2).failureRateThreshold(50)
      .waitDurationInOpenState(Duration.ofMinutes(1)).build());

  @Test
  void aLostMasterOpensOnlyItsOwnBreaker() {
    CircuitBreaker lost = breakers.of("master-a");
    lost.onError(1, TimeUnit.MILLISECONDS, new RuntimeException("timeout"));
    lost.onError(1, TimeUnit.MILLISECONDS, new RuntimeException("timeout"));
    assertThat(breakers.of("master-a").getState()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(breakers.of("master-a").tryAcquirePermission()).isFalse();
    assertThat(breakers.of("master-b").getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breakers.of("master-b").tryAcquirePermission()).isTrue();
    assertThat(breakers.of(NodeBreakers.ACROSS_NODES).getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    // the slot moved to the promoted replica: a node never seen, with a breaker of its own, closed
    assertThat(breakers.of("replica-a").tryAcquirePermission()).isTrue();
  }

  @Test
  void aNodeKeepsOneBreakerNamedAfterIt() {
    assertThat(breakers.of("n1")).isSameAs(breakers.of("n1")).isNotSameAs(breakers.of("n2"));
    assertThat(breakers.of("n1").getName()).isEqualTo("redis n1");
    assertThat(breakers.of("").getName()).as("one Redis").isEqualTo("redis");
    assertThat(breakers.of("n1").getCircuitBreakerConfig().getFailureRateThreshold()).isEqualTo(50);
  }
}
