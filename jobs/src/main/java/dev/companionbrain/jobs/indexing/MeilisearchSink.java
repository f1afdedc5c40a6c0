package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.index.RetryPolicy;
import java.io.IOException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes actions to a Meilisearch index in batches of {@code batchSize} (or whatever arrived within
 * {@code maxWaitMillis}): each batch is one add-documents and/or one delete-documents task, enqueued
 * without waiting. Enqueued tasks are followed in the background (for freshness) and at every
 * flush/checkpoint the writer waits until all of them have succeeded, so a checkpoint never covers
 * a document Meilisearch has not stored. At-least-once; writes are idempotent by id.
 */
public final class MeilisearchSink implements Sink<IndexAction> {
  private final String url;
  private final String apiKey;
  private final String index;
  private final int batchSize;
  private final long maxWaitMillis;
  private final DeadLetterProducer deadLetters;
  private final long toleranceMillis;

  public MeilisearchSink(String url, String apiKey, String index, int batchSize, long maxWaitMillis,
      DeadLetterProducer deadLetters) {
    this(url, apiKey, index, batchSize, maxWaitMillis, deadLetters, RetryPolicy.DEFAULT_TOLERANCE_MILLIS);
  }

  /** @param toleranceMillis how long Meilisearch may be away before the job fails (see {@link RetryPolicy}) */
  public MeilisearchSink(String url, String apiKey, String index, int batchSize, long maxWaitMillis,
      DeadLetterProducer deadLetters, long toleranceMillis) {
    this.toleranceMillis = toleranceMillis;
    this.url = url;
    this.apiKey = apiKey;
    this.index = index;
    this.batchSize = batchSize;
    this.maxWaitMillis = maxWaitMillis;
    this.deadLetters = deadLetters;
  }

  @Override
  @Deprecated
  public SinkWriter<IndexAction> createWriter(InitContext context) throws IOException {
    throw new UnsupportedOperationException("Flink 1.20 calls createWriter(WriterInitContext)");
  }

  @Override
  public SinkWriter<IndexAction> createWriter(WriterInitContext context) {
    return new MeilisearchWriter(new com.meilisearch.sdk.Client(new com.meilisearch.sdk.Config(url, apiKey)), index,
        batchSize, maxWaitMillis, context.getProcessingTimeService(), context.metricGroup(),
        deadLetters == null ? null : deadLetters.open(), RetryPolicy.tolerating(toleranceMillis));
  }
}
