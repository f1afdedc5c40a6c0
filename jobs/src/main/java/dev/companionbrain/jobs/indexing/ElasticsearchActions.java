package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.index.IndexDefinitions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.elasticsearch.sink.ElasticsearchEmitter;
import org.apache.flink.connector.elasticsearch.sink.RequestIndexer;
import org.elasticsearch.action.delete.DeleteRequest;
import org.elasticsearch.action.update.UpdateRequest;

/**
 * Turns actions into idempotent Elasticsearch requests keyed by id: an upsert is a partial update
 * with doc_as_upsert that sets every field (a field the producer dropped becomes null) and the
 * vector only when there is one, so an unchanged text keeps its stored vector; a delete deletes.
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
      return;
    }
    indexer.add(new UpdateRequest(index, action.id).doc(source(action)).docAsUpsert(true).retryOnConflict(3));
  }

  static Map<String, Object> source(IndexAction action) {
    Map<String, Object> source = new HashMap<>();
    source.put("id", action.id);
    source.put("title", action.title);
    source.put("body", action.body);
    source.put("tags", action.tags == null ? java.util.List.of() : Arrays.asList(action.tags));
    source.put("url", action.url);
    source.put("updated_at", action.updatedAt);
    if (action.vector != null) {
      float[] v = action.vector;
      java.util.List<Float> list = new java.util.ArrayList<>(v.length);
      for (float f : v) {
        list.add(f);
      }
      source.put(IndexDefinitions.VECTOR_FIELD, list);
    }
    return source;
  }
}
