package dev.companionbrain.jobs.indexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.companionbrain.core.embed.Embedder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shared embedding thread ends with its last user: on a session cluster a thread left running
 * after a cancel kept the cancelled job's class loader alive in the TaskManager.
 */
class EmbeddingWorkerTest {
  private static Embedder embedder(CountDownLatch gate) {
    return new Embedder() {
      @Override
      public int dimensions() {
        return 3;
      }

      @Override
      public List<float[]> embedAll(List<String> texts) {
        try {
          gate.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException("interrupted while embedding", e);
        }
        return texts.stream().map(t -> new float[] {t.length(), 0, 0}).toList();
      }
    };
  }

  @Test
  void theLastReleaseStopsTheThreadAndTheNextUserGetsANewWorker() throws Exception {
    CountDownLatch open = new CountDownLatch(0);
    EmbeddingWorker first = EmbeddingWorker.acquire(dev.companionbrain.core.embed.EmbeddingModel.MINILM, () -> embedder(open));
    EmbeddingWorker second = EmbeddingWorker.acquire(dev.companionbrain.core.embed.EmbeddingModel.MINILM, () -> embedder(open));
    assertThat(second).isSameAs(first);
    assertThat(first.embed("four").get(5, TimeUnit.SECONDS).vector()[0]).isEqualTo(4f);

    EmbeddingWorker.release(first);
    assertThat(first.isRunning()).as("one user left").isTrue();
    EmbeddingWorker.release(second);
    await().atMost(Duration.ofSeconds(5)).until(() -> !first.isRunning());

    EmbeddingWorker next = EmbeddingWorker.acquire(dev.companionbrain.core.embed.EmbeddingModel.MINILM, () -> embedder(open));
    try {
      assertThat(next).isNotSameAs(first);
      assertThat(next.embed("seven!!").get(5, TimeUnit.SECONDS).vector()[0]).isEqualTo(7f);
    } finally {
      EmbeddingWorker.release(next);
    }
  }

  @Test
  void whatIsStillEmbeddingOrQueuedWhenItStopsIsLeftPendingNeverFailed() throws Exception {
    // a stop with a savepoint closes the subtasks while records are in flight: their state holds them,
    // and a failure completed then would fail the job "during stopping"
    CountDownLatch closed = new CountDownLatch(1);
    EmbeddingWorker worker = EmbeddingWorker.acquire(dev.companionbrain.core.embed.EmbeddingModel.MINILM, () -> embedder(closed));
    CompletableFuture<EmbeddingWorker.Embedded> running = worker.embed("one");
    await().atMost(Duration.ofSeconds(5)).until(() -> worker.isRunning());
    CompletableFuture<EmbeddingWorker.Embedded> queued = worker.embed("two");
    EmbeddingWorker.release(worker);
    await().atMost(Duration.ofSeconds(5)).until(() -> !worker.isRunning());
    assertThat(running).as("interrupted while embedding").isNotDone();
    assertThat(queued).isNotDone();
  }

  @Test
  void aFailureOfTheModelFailsItsBatchAndTheWorkerGoesOn() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean fail = new java.util.concurrent.atomic.AtomicBoolean(true);
    EmbeddingWorker worker = EmbeddingWorker.acquire(dev.companionbrain.core.embed.EmbeddingModel.MINILM, () -> new Embedder() {
      @Override
      public int dimensions() {
        return 3;
      }

      @Override
      public List<float[]> embedAll(List<String> texts) {
        if (fail.getAndSet(false)) {
          throw new IllegalStateException("the model failed");
        }
        return texts.stream().map(t -> new float[] {t.length(), 0, 0}).toList();
      }
    });
    try {
      CompletableFuture<EmbeddingWorker.Embedded> failed = worker.embed("one");
      await().atMost(Duration.ofSeconds(5)).until(failed::isDone);
      assertThat(failed).isCompletedExceptionally();
      assertThat(worker.embed("three").get(5, java.util.concurrent.TimeUnit.SECONDS).vector()).containsExactly(5, 0, 0);
    } finally {
      EmbeddingWorker.release(worker);
    }
  }

  @Test
  void eachModelHasAWorkerOfItsOwn() throws Exception {
    CountDownLatch open = new CountDownLatch(0);
    EmbeddingWorker miniLm = EmbeddingWorker.acquire(dev.companionbrain.core.embed.EmbeddingModel.MINILM, () -> embedder(open));
    EmbeddingWorker bge = EmbeddingWorker.acquire(dev.companionbrain.core.embed.EmbeddingModel.BGE_SMALL, () -> embedder(open));
    try {
      assertThat(bge).isNotSameAs(miniLm);
      EmbeddingWorker.release(bge);
      await().atMost(Duration.ofSeconds(5)).until(() -> !bge.isRunning());
      assertThat(miniLm.isRunning()).as("another model's release does not stop it").isTrue();
    } finally {
      EmbeddingWorker.release(miniLm);
    }
  }
}
