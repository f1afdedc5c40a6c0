package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.embed.Embedder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Computes vectors for the upserts that need one, in batches: requests from this subtask queue up
 * and one worker thread embeds up to {@link #BATCH} at a time (the model uses the cores itself).
 * Used with ordered async I/O, so every id keeps its order.
 */
public final class EmbedDocuments extends RichAsyncFunction<IndexAction, IndexAction> {
  static final int BATCH = 32;

  private transient BlockingQueue<Pending> queue;
  private transient Thread worker;
  private transient volatile boolean running;
  private transient Counter embedded;
  private transient DescriptiveStatisticsHistogram msPerDocument;
  private transient DescriptiveStatisticsHistogram batchSizes;

  private record Pending(IndexAction action, ResultFuture<IndexAction> result) {}

  @Override
  public void open(OpenContext openContext) {
    Embedder embedder = Embedder.miniLm();
    var group = getRuntimeContext().getMetricGroup();
    embedded = group.counter("documents_embedded");
    msPerDocument = group.histogram("embedding_ms_per_document", new DescriptiveStatisticsHistogram(1000));
    batchSizes = group.histogram("embedding_batch_size", new DescriptiveStatisticsHistogram(200));
    queue = new LinkedBlockingQueue<>();
    running = true;
    worker = new Thread(() -> work(embedder), "embedder-" + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
    worker.setDaemon(true);
    worker.start();
  }

  @Override
  public void asyncInvoke(IndexAction action, ResultFuture<IndexAction> result) {
    if (action.delete || !action.needsEmbedding) {
      result.complete(Collections.singleton(action));
      return;
    }
    queue.add(new Pending(action, result));
  }

  private void work(Embedder embedder) {
    List<Pending> batch = new ArrayList<>(BATCH);
    while (running) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        embed(embedder, batch);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        for (Pending p : batch) {
          p.result().completeExceptionally(e);
        }
      } finally {
        batch.clear();
      }
    }
  }

  private void embed(Embedder embedder, List<Pending> batch) {
    List<String> texts = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      texts.add(p.action().document().embeddingText());
    }
    long began = System.nanoTime();
    List<float[]> vectors = embedder.embedAll(texts);
    double perDoc = (System.nanoTime() - began) / 1e6 / batch.size();
    batchSizes.update(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      IndexAction action = batch.get(i).action();
      action.vector = vectors.get(i);
      action.needsEmbedding = false;
      msPerDocument.update(Math.round(perDoc));
      embedded.inc();
      batch.get(i).result().complete(Collections.singleton(action));
    }
  }

  @Override
  public void close() throws Exception {
    running = false;
    if (worker != null) {
      worker.interrupt();
      worker.join(5000);
    }
  }
}
