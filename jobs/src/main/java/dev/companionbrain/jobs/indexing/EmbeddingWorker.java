package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.embed.Embedder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One embedding thread per JVM, shared by every embedding subtask in it: requests queue up and are
 * embedded {@link #BATCH} at a time, one batch after another. The model already spreads a batch
 * over the cores, so two subtasks embedding at once would only fight over them.
 */
final class EmbeddingWorker {
  static final int BATCH = 32;
  private static EmbeddingWorker instance;

  private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();

  private record Request(String text, CompletableFuture<Embedded> result) {}

  /**
   * A vector and how its batch went, so that each subtask measures its own documents.
   *
   * @param firstOfBatch true for exactly one document of each batch (to count batches once)
   */
  record Embedded(float[] vector, int batchSize, double msPerDocument, boolean firstOfBatch) {}

  private EmbeddingWorker(Embedder embedder) {
    Thread worker = new Thread(() -> work(embedder), "embedding-worker");
    worker.setDaemon(true);
    worker.start();
  }

  static synchronized EmbeddingWorker shared() {
    if (instance == null) {
      instance = new EmbeddingWorker(Embedder.miniLm());
    }
    return instance;
  }

  CompletableFuture<Embedded> embed(String text) {
    CompletableFuture<Embedded> result = new CompletableFuture<>();
    queue.add(new Request(text, result));
    return result;
  }

  private void work(Embedder embedder) {
    List<Request> batch = new ArrayList<>(BATCH);
    while (true) {
      try {
        Request first = queue.poll(1, TimeUnit.SECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        List<String> texts = new ArrayList<>(batch.size());
        batch.forEach(r -> texts.add(r.text()));
        long began = System.nanoTime();
        List<float[]> vectors = embedder.embedAll(texts);
        double msPerDocument = (System.nanoTime() - began) / 1e6 / batch.size();
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).result().complete(new Embedded(vectors.get(i), batch.size(), msPerDocument, i == 0));
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        batch.forEach(r -> r.result().completeExceptionally(e));
      } finally {
        batch.clear();
      }
    }
  }
}
