package dev.companionbrain.jobs.indexing;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.elasticsearch.sink.ElasticsearchEmitter;
import org.apache.flink.connector.elasticsearch.sink.RequestIndexer;
import org.elasticsearch.action.delete.DeleteRequest;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.action.update.UpdateRequest;
import org.elasticsearch.common.xcontent.XContentType;

/**
 * Turns actions into idempotent Elasticsearch requests keyed by id. An upsert with a vector replaces
 * the whole document (an index request); an upsert without one (its text is unchanged, so its
 * embedding was skipped) is a partial update with doc_as_upsert, so the stored vector stays. Every
 * field is set either way: a field the producer dropped becomes null. A delete deletes.
 *
 * <p>The source is {@link IndexAction#fieldsJson}, written once as JSON bytes. A map source would be
 * serialised by the client twice (an update's doc is re-read and re-written into the bulk body), and
 * printing 384 floats per document that way was the busiest code of the whole job. The bytes go into
 * the bulk body as they are ({@link ElasticsearchBulks#body}): the client's own JSON factory never
 * sees them, so its number codecs do not matter ({@code BulkBodyBenchmark}).
 */
public final class ElasticsearchActions implements ElasticsearchEmitter<IndexAction> {
  private final String index;

  public ElasticsearchActions(String index) {
    this.index = index;
  }

  @Override
  public void emit(IndexAction action, SinkWriter.Context context, RequestIndexer indexer) {
    if (action.delete) {
      indexer.add(new DeleteRequest(index, action.id));
    } else if (action.vector != null) {
      indexer.add(new IndexRequest(index).id(action.id).source(action.fieldsJson(true), XContentType.JSON));
    } else {
      indexer.add(new UpdateRequest(index, action.id).doc(action.fieldsJson(true), XContentType.JSON).docAsUpsert(true)
          .retryOnConflict(3));
    }
  }
}
