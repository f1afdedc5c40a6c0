package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.embed.EmbeddingModel;
import java.util.Collections;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Computes vectors for the upserts that need one through the JVM's {@link EmbeddingWorker}, which
 * embeds in batches. Used with ordered async I/O, so every id keeps its order.
 */
public final class EmbedDocuments extends RichAsyncFunction<IndexAction, IndexAction> {
  private final EmbeddingModel model;
  private transient EmbeddingWorker worker;
  private transient Counter embedded;
  private transient DescriptiveStatisticsHistogram msPerDocument;
  private transient DescriptiveStatisticsHistogram batchSizes;

  /** Embeds with {@code model}: the index's ({@link IndexingConfig#embeddingModel}). */
  public EmbedDocuments(EmbeddingModel model) {
    this.model = model;
  }

  @Override
  public void open(OpenContext openContext) {
    var group = getRuntimeContext().getMetricGroup();
    embedded = group.counter("documents_embedded");
    msPerDocument = group.histogram("embedding_ms_per_document", new DescriptiveStatisticsHistogram(1000));
    batchSizes = group.histogram("embedding_batch_size", new DescriptiveStatisticsHistogram(200));
    worker = EmbeddingWorker.acquire(model);
  }

  @Override
  public void close() throws Exception {
    EmbeddingWorker.release(worker); // the last subtask to close stops the worker's thread
    worker = null;
    super.close();
  }

  @Override
  public void asyncInvoke(IndexAction action, ResultFuture<IndexAction> result) {
    if (action.delete || !action.needsEmbedding) {
      result.complete(Collections.singleton(action));
      return;
    }
    worker.embed(action.document().embeddingText()).whenComplete((done, error) -> {
      if (error != null) {
        result.completeExceptionally(error);
        return;
      }
      // the worker is shared by the subtasks of this JVM: each one measures only its own documents
      msPerDocument.update(Math.round(done.msPerDocument()));
      if (done.firstOfBatch()) {
        batchSizes.update(done.batchSize());
      }
      action.vector = done.vector();
      action.needsEmbedding = false;
      embedded.inc();
      result.complete(Collections.singleton(action));
    });
  }
}
