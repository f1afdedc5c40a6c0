package dev.companionbrain.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A stack of its own, closed here: nothing it started may outlive it. */
class LocalStackLifecycleIT {

  @Test
  void closeStopsEveryProcessAndPrintsStartupTime() {
    LocalStack stack = LocalStack.start();
    List<Long> pids = stack.pids();
    assertThat(pids).hasSize(4).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isPresent());
    System.out.printf("local stack start-up: %d ms%n", stack.startupTime().toMillis());
    assertThat(stack.startupTime()).isPositive();
    stack.close();
    assertThat(pids).allSatisfy(pid ->
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %d alive", pid).isFalse());
  }
}
