package dev.companionbrain.localstack;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a readiness condition until it holds, the owner process dies, or time runs out. */
final class Await {
  private Await() {}

  static void until(String what, Duration timeout, ChildProcess owner, BooleanSupplier ready) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 20;
    while (true) {
      if (owner != null) {
        owner.checkAlive();
      }
      try {
        if (ready.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException notYet) {
        // not ready yet
      }
      if (System.nanoTime() > deadline) {
        throw new EngineStartException(what + " not ready after " + timeout.toSeconds() + " s"
            + (owner == null ? "" : "\n" + owner.tail()));
      }
      try {
        Thread.sleep(pause); // polling interval of a readiness probe, not a fixed wait
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EngineStartException(what + ": interrupted while waiting");
      }
      pause = Math.min(200, pause * 2);
    }
  }
}
