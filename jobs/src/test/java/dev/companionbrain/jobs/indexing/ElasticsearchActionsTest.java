package dev.companionbrain.jobs.indexing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.elasticsearch.action.DocWriteRequest;
import org.elasticsearch.action.delete.DeleteRequest;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.action.update.UpdateRequest;
import org.junit.jupiter.api.Test;

class ElasticsearchActionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final CollectingIndexer indexer = new CollectingIndexer();
  private final List<DocWriteRequest<?>> sent = indexer.sent;

  private static IndexAction upsert(float[] vector) {
    IndexAction a = new IndexAction();
    a.id = "doc-1";
    a.title = "Shock \"waves\"";
    a.body = "body text é";
    a.tags = new String[] {"aero", "b"};
    a.url = null;
    a.updatedAt = "2026-11-25T10:00:00Z";
    a.vector = vector;
    return a;
  }

  @Test
  void anUpsertWithAVectorReplacesTheWholeDocumentAndKeepsEveryFloat() throws Exception {
    float[] vector = new float[384];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = (float) Math.sin(i) / 7f;
    }
    vector[3] = Float.MIN_VALUE;
    vector[4] = -1.0E-12f;
    new ElasticsearchActions("docs").emit(upsert(vector), null, indexer);

    assertThat(sent).singleElement().isInstanceOf(IndexRequest.class);
    IndexRequest request = (IndexRequest) sent.get(0);
    assertThat(request.index()).isEqualTo("docs");
    assertThat(request.id()).isEqualTo("doc-1");
    JsonNode source = JSON.readTree(request.source().toBytesRef().bytes, request.source().toBytesRef().offset,
        request.source().toBytesRef().length);
    assertThat(source.get("title").asText()).isEqualTo("Shock \"waves\"");
    assertThat(source.get("body").asText()).isEqualTo("body text é");
    assertThat(source.get("url").isNull()).isTrue();
    assertThat(source.get("tags")).hasSize(2);
    assertThat(source.get("updated_at").asText()).isEqualTo("2026-11-25T10:00:00Z");
    JsonNode v = source.get("vector");
    assertThat(v).hasSize(384);
    for (int i = 0; i < vector.length; i++) {
      assertThat(Float.parseFloat(v.get(i).asText())).as("vector[%d]", i).isEqualTo(vector[i]);
    }
  }

  @Test
  void anUpsertWithoutAVectorIsAPartialUpdateThatKeepsTheStoredVector() throws Exception {
    new ElasticsearchActions("docs").emit(upsert(null), null, indexer);

    assertThat(sent).singleElement().isInstanceOf(UpdateRequest.class);
    UpdateRequest request = (UpdateRequest) sent.get(0);
    assertThat(request.docAsUpsert()).isTrue();
    var bytes = request.doc().source().toBytesRef();
    JsonNode doc = JSON.readTree(bytes.bytes, bytes.offset, bytes.length);
    assertThat(doc.has("vector")).isFalse();
    assertThat(doc.get("title").asText()).isEqualTo("Shock \"waves\"");
    assertThat(doc.get("url").isNull()).isTrue();
  }

  @Test
  void aDeleteDeletesById() {
    new ElasticsearchActions("docs").emit(Actions.delete("gone"), null, indexer);

    assertThat(sent).singleElement().isInstanceOf(DeleteRequest.class);
    assertThat(((DeleteRequest) sent.get(0)).id()).isEqualTo("gone");
  }
}
