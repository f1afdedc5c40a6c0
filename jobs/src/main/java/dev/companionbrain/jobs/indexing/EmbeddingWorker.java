package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.embed.Embedder;
import dev.companionbrain.core.embed.EmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One embedding thread per job class loader, shared by every embedding subtask in it: requests queue
 * up and are embedded {@link #BATCH} at a time, one batch after another. The model already spreads a
 * batch over the cores, so two subtasks embedding at once would only fight over them.
 *
 * <p>Subtasks {@link #acquire} the worker when they open and {@link #release} it when they close;
 * the last release stops the thread. On a session cluster every submission of the job has class
 * loaders of its own, so a thread left running after a cancel would keep the old job's classes (and
 * its copy of the job jar) alive in the TaskManager for good.
 */
final class EmbeddingWorker {
  static final int BATCH = 32;
  /** The running workers, one per model (two jobs of one JVM may embed with two models). */
  private static final java.util.Map<EmbeddingModel, EmbeddingWorker> WORKERS = new java.util.EnumMap<>(EmbeddingModel.class);

  private final EmbeddingModel model;
  private int users;

  private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean stopped;

  private record Request(String text, CompletableFuture<Embedded> result) {}

  /**
   * A vector and how its batch went, so that each subtask measures its own documents.
   *
   * @param firstOfBatch true for exactly one document of each batch (to count batches once)
   */
  record Embedded(float[] vector, int batchSize, double msPerDocument, boolean firstOfBatch) {}

  private EmbeddingWorker(EmbeddingModel model, Embedder embedder) {
    this.model = model;
    thread = new Thread(() -> work(embedder), "embedding-worker");
    thread.setDaemon(true);
    thread.start();
  }

  /** The shared worker over {@code model}, started by its first user. */
  static EmbeddingWorker acquire(EmbeddingModel model) {
    return acquire(model, () -> Embedder.of(model));
  }

  /** The shared worker of {@code model}, started over {@code embedder} by its first user. */
  static synchronized EmbeddingWorker acquire(EmbeddingModel model, Supplier<Embedder> embedder) {
    EmbeddingWorker worker = WORKERS.computeIfAbsent(model, m -> new EmbeddingWorker(m, embedder.get()));
    worker.users++;
    return worker;
  }

  /**
   * Gives the worker back; the last user's release stops its thread. What is still embedding or queued
   * then is left pending, never failed: its subtasks are closing (a cancel, or a stop with a savepoint,
   * whose state holds those records for the job that restores it), and a failure completed while a task
   * stops fails the job "during stopping".
   */
  static synchronized void release(EmbeddingWorker worker) {
    if (worker == null || WORKERS.get(worker.model) != worker) {
      return;
    }
    if (--worker.users == 0) {
      WORKERS.remove(worker.model);
      worker.stopped = true; // the flag too: the model may swallow an interrupt while it embeds
      worker.thread.interrupt();
    }
  }

  /** Whether the worker's thread still runs (it ends soon after the last release). */
  boolean isRunning() {
    return thread.isAlive();
  }

  CompletableFuture<Embedded> embed(String text) {
    CompletableFuture<Embedded> result = new CompletableFuture<>();
    queue.add(new Request(text, result));
    return result;
  }

  private void work(Embedder embedder) {
    List<Request> batch = new ArrayList<>(BATCH);
    while (!stopped) {
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
        break;
      } catch (RuntimeException e) {
        if (stopped) {
          break; // the release's interrupt reached the model (it wraps it): not a failure of the batch
        }
        batch.forEach(r -> r.result().completeExceptionally(e));
      } finally {
        batch.clear();
      }
    }
    // what is queued stays pending (see release): its subtasks are closing, and the worker goes with them
  }
}
