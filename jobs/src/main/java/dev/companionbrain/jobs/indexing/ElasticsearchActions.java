package dev.companionbrain.jobs.indexing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import java.lang.reflect.Field;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.elasticsearch.sink.ElasticsearchEmitter;
import org.apache.flink.connector.elasticsearch.sink.RequestIndexer;
import org.elasticsearch.action.delete.DeleteRequest;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.action.update.UpdateRequest;
import org.elasticsearch.common.xcontent.XContentType;
import org.elasticsearch.common.xcontent.json.JsonXContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns actions into idempotent Elasticsearch requests keyed by id. An upsert with a vector replaces
 * the whole document (an index request); an upsert without one (its text is unchanged, so its
 * embedding was skipped) is a partial update with doc_as_upsert, so the stored vector stays. Every
 * field is set either way: a field the producer dropped becomes null. A delete deletes.
 *
 * <p>The source is {@link IndexAction#fieldsJson}, written once as JSON bytes. A map source would be
 * serialised by the client twice (an update's doc is re-read and re-written into the bulk body), and
 * printing 384 floats per document that way was the busiest code of the whole job.
 */
public final class ElasticsearchActions implements ElasticsearchEmitter<IndexAction> {
  private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchActions.class);

  static {
    fastNumbersInTheBulkClient();
  }

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

  /**
   * The Elasticsearch 7 client re-reads every index request's source and writes it again into the
   * bulk body (RequestConverters.bulk, copyCurrentStructure), with the JDK's slow double parsing and
   * printing: for 384 floats a document that was most of the sink's CPU. Its Jackson factory is a
   * private static, so the fast reader and writer (same values, Schubfach and FastDoubleParser) are
   * switched on through reflection; if that ever fails the client keeps working as before, slower.
   */
  static boolean fastNumbersInTheBulkClient() {
    try {
      Field field = JsonXContent.class.getDeclaredField("jsonFactory");
      field.setAccessible(true);
      JsonFactory factory = (JsonFactory) field.get(null);
      factory.enable(JsonParser.Feature.USE_FAST_DOUBLE_PARSER);
      factory.enable(JsonGenerator.Feature.USE_FAST_DOUBLE_WRITER);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.info("Elasticsearch client keeps its default number parsing ({})", e.toString());
      return false;
    }
  }
}
