package dev.companionbrain.jobs.indexing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.elasticsearch.action.DocWriteRequest;
import org.elasticsearch.action.bulk.BulkResponse;
import org.junit.jupiter.api.Test;

/** The bulk body ElasticsearchBulks writes from the connector's requests, and what the writer hears back. */
class ElasticsearchBulksTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<DocWriteRequest<?>> emitted(IndexAction... actions) {
    CollectingIndexer indexer = new CollectingIndexer();
    for (IndexAction a : actions) {
      new ElasticsearchActions("docs").emit(a, null, indexer);
    }
    return indexer.sent;
  }

  private static IndexAction action(String id, float[] vector, boolean delete) {
    IndexAction a = new IndexAction();
    a.id = id;
    a.delete = delete;
    a.title = "title \"" + id + "\"";
    a.body = "é";
    a.vector = vector;
    return a;
  }

  @Test
  void theBodyHasOneActionLineAndOneSourceLinePerWriteAndNoneForADelete() throws Exception {
    List<DocWriteRequest<?>> requests = emitted(action("a", new float[] {0.5f, -0.25f}, false), action("b", null, false),
        action("c", null, true));
    String[] lines = new String(ElasticsearchBulks.body(requests), StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(5);
    assertThat(JSON.readTree(lines[0])).isEqualTo(JSON.readTree("{\"index\":{\"_index\":\"docs\",\"_id\":\"a\"}}"));
    JsonNode a = JSON.readTree(lines[1]);
    assertThat(a.get("title").asText()).isEqualTo("title \"a\"");
    assertThat(a.get("body").asText()).isEqualTo("é");
    assertThat(a.get("vector").get(1).floatValue()).isEqualTo(-0.25f);
    assertThat(JSON.readTree(lines[2]))
        .isEqualTo(JSON.readTree("{\"update\":{\"_index\":\"docs\",\"_id\":\"b\",\"retry_on_conflict\":3}}"));
    JsonNode b = JSON.readTree(lines[3]);
    assertThat(b.get("doc_as_upsert").asBoolean()).isTrue();
    assertThat(b.get("doc").get("title").asText()).isEqualTo("title \"b\"");
    assertThat(b.get("doc").has("vector")).as("an unchanged text keeps the stored vector").isFalse();
    assertThat(JSON.readTree(lines[4])).isEqualTo(JSON.readTree("{\"delete\":{\"_index\":\"docs\",\"_id\":\"c\"}}"));
  }

  @Test
  void everySourceGoesIntoTheBodyByteForByteAsTheActionWroteIt() {
    IndexAction withVector = action("a", new float[] {0.1f, 1.0E-7f, -0.33333334f, 3.4028235E38f}, false);
    IndexAction withoutVector = action("b", null, false);
    String body = new String(ElasticsearchBulks.body(emitted(withVector, withoutVector)), StandardCharsets.UTF_8);
    String[] lines = body.split("\n");
    // not re-parsed and re-printed by the Elasticsearch client (whose JSON factory we therefore leave alone)
    assertThat(lines[1]).isEqualTo(new String(withVector.fieldsJson(true), StandardCharsets.UTF_8));
    assertThat(lines[1]).contains("[0.1,1.0E-7,-0.33333334,3.4028235E38]");
    assertThat(lines[3]).isEqualTo("{\"doc\":" + new String(withoutVector.fieldsJson(true), StandardCharsets.UTF_8)
        + ",\"doc_as_upsert\":true}");
  }

  @Test
  void aSettledBulkHasOneSuccessPerRequestAndNoFailure() {
    List<DocWriteRequest<?>> requests = emitted(action("a", new float[] {1f}, false), action("c", null, true));
    BulkResponse response = ElasticsearchBulks.settled(requests, 12);
    assertThat(response.getItems()).hasSize(2);
    assertThat(response.hasFailures()).isFalse();
    assertThat(response.getItems()[1].getId()).isEqualTo("c");
    assertThat(response.getItems()[1].getOpType()).isEqualTo(DocWriteRequest.OpType.DELETE);
  }

  @Test
  void refusedIdsSurviveTheCommittableSerializer() throws Exception {
    var serializer = new RejectedDocuments.IdsSerializer();
    List<String> ids = List.of("n42", "é-1", "x");
    assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(ids))).isEqualTo(ids);
    assertThat(serializer.deserialize(1, serializer.serialize(List.of()))).isEmpty();
  }
}
