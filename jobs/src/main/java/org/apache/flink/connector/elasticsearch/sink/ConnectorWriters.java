package org.apache.flink.connector.elasticsearch.sink;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.http.HttpHost;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.bulk.BackoffPolicy;
import org.elasticsearch.action.bulk.BulkProcessor;
import org.elasticsearch.action.bulk.BulkRequest;
import org.elasticsearch.action.bulk.BulkResponse;
import org.elasticsearch.client.RestHighLevelClient;
import org.elasticsearch.common.unit.TimeValue;

/**
 * A bridge into flink-connector-elasticsearch7 3.0.1: its {@code ElasticsearchWriter} fails the job on
 * the first refused bulk item and its bulk processor gives up after a fixed number of retries, and the
 * only place to change that, the {@code BulkProcessorBuilderFactory} that sends each bulk, is package
 * private (as are the writer's constructor and configs). This class, in the connector's package, builds
 * the connector's own writer (emitter, bulk processor, REST client, flush-on-checkpoint, metrics, all
 * unchanged) with a bulk executor of ours in place of the client's {@code bulkAsync}: the executor
 * classifies every item and answers the writer only with what is settled. One bulk is in flight at a
 * time ({@code concurrentRequests = 1}), so while the executor retries, the next bulk blocks the task:
 * back-pressure. (Connector 3.1 has a {@code BulkResponseInspector} for this; it needs Flink 1.18+
 * APIs of the connector line we do not use yet.)
 */
public final class ConnectorWriters {
  private ConnectorWriters() {}

  /** The connector's writer, sending each bulk through {@code executor} (made from the writer's own client). */
  public static <IN> SinkWriter<IN> elasticsearch7(List<HttpHost> hosts, ElasticsearchEmitter<? super IN> emitter,
      int maxActions, long flushIntervalMillis, String username, String password, int socketTimeoutMillis,
      Function<RestHighLevelClient, BiConsumer<BulkRequest, ActionListener<BulkResponse>>> executor,
      SinkWriterMetricGroup metrics, MailboxExecutor mailbox) {
    BulkProcessorConfig bulk = new BulkProcessorConfig(maxActions, -1, flushIntervalMillis, FlushBackoffType.NONE, 0, 0);
    NetworkClientConfig network = new NetworkClientConfig(username, password, null, null, null, socketTimeoutMillis);
    BulkProcessorBuilderFactory factory = (client, config, listener) -> BulkProcessor.builder(executor.apply(client), listener)
        .setBulkActions(config.getBulkFlushMaxActions())
        .setFlushInterval(TimeValue.timeValueMillis(config.getBulkFlushInterval()))
        .setBackoffPolicy(BackoffPolicy.noBackoff())
        .setConcurrentRequests(1);
    return new ElasticsearchWriter<>(hosts, emitter, true, bulk, factory, network, metrics, mailbox);
  }
}
