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
  void whatIsStillEmbeddingOrQueuedWhenItStopsFailsInsteadOfHanging() throws Exception {
    CountDownLatch closed = new CountDownLatch(1);
    EmbeddingWorker worker = EmbeddingWorker.acquire(dev.companionbrain.core.embed.EmbeddingModel.MINILM, () -> embedder(closed));
    CompletableFuture<EmbeddingWorker.Embedded> running = worker.embed("one");
    await().atMost(Duration.ofSeconds(5)).until(() -> worker.isRunning());
    CompletableFuture<EmbeddingWorker.Embedded> queued = worker.embed("two");
    EmbeddingWorker.release(worker);
    await().atMost(Duration.ofSeconds(5)).until(() -> running.isDone() && queued.isDone() && !worker.isRunning());
    assertThat(running).isCompletedExceptionally();
    assertThat(queued).isCompletedExceptionally();
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
