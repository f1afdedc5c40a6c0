package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.index.RetryPolicy;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.elasticsearch.sink.ConnectorWriters;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.http.HttpHost;

/**
 * The Elasticsearch/OpenSearch sink: flink-connector-elasticsearch7's writer (its emitter, bulk
 * processor, client and flush-on-checkpoint) with {@link ElasticsearchBulks} sending the bulks, so a
 * refused document is dead-lettered instead of failing the job and an engine outage holds the stream
 * back for the outage tolerance instead of failing it after the connector's 8 retries. The connector's
 * own sink has no hook for either (see {@link ConnectorWriters}), hence this thin Sink V2 around its
 * writer. The ids it dead-lettered are the committables: after the checkpoint, when every sink has
 * written what came before it, {@link RejectedDocuments} removes them from every engine and Redis.
 */
public final class ElasticsearchIndexSink implements IndexActionSink, SupportsCommitter<List<String>> {
  private final IndexingConfig config;
  private final DeadLetterProducer deadLetters;

  public ElasticsearchIndexSink(IndexingConfig config, DeadLetterProducer deadLetters) {
    this.config = config;
    this.deadLetters = deadLetters;
  }

  @Override
  public SinkWriter<IndexAction> createWriter(WriterInitContext context) {
    RetryPolicy policy = RetryPolicy.tolerating(config.engineOutageToleranceMillis());
    ElasticsearchBulks bulks = new ElasticsearchBulks(policy, deadLetters == null ? null : deadLetters.open(),
        context.metricGroup());
    var engines = config.engines();
    // a paused engine answers nothing: the socket timeout ends the try, the policy decides about the next
    int socketTimeout = (int) Math.min(15_000, Math.max(1_000, config.engineOutageToleranceMillis() / 4));
    SinkWriter<IndexAction> writer = ConnectorWriters.elasticsearch7(List.of(HttpHost.create(engines.elasticsearchUrl())),
        bulks.remembering(new ElasticsearchActions(config.elasticsearchIndex())), config.batchSize(), config.maxBatchWaitMillis(),
        engines.elasticsearchUsername(), engines.elasticsearchPassword(), socketTimeout,
        client -> bulks.sendingWith(client.getLowLevelClient()), context.metricGroup(), context.getMailboxExecutor());
    return new Writer(writer, bulks);
  }

  @Override
  public Committer<List<String>> createCommitter(CommitterInitContext context) {
    return new RejectedDocuments(config);
  }

  @Override
  public SimpleVersionedSerializer<List<String>> getCommittableSerializer() {
    return new RejectedDocuments.IdsSerializer();
  }

  private static final class Writer implements CommittingSinkWriter<IndexAction, List<String>> {
    private final SinkWriter<IndexAction> connector;
    private final ElasticsearchBulks bulks;

    Writer(SinkWriter<IndexAction> connector, ElasticsearchBulks bulks) {
      this.connector = connector;
      this.bulks = bulks;
    }

    @Override
    public void write(IndexAction element, Context context) throws IOException, InterruptedException {
      connector.write(element, context);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
      connector.flush(endOfInput);
      bulks.flushDeadLetters();
    }

    @Override
    public Collection<List<String>> prepareCommit() {
      List<String> ids = bulks.drainRejected();
      return ids.isEmpty() ? List.of() : List.of(ids);
    }

    @Override
    public void close() throws Exception {
      try {
        connector.close();
      } finally {
        bulks.close();
      }
    }
  }
}
