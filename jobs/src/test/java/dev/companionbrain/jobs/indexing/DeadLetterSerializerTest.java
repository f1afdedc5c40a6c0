package dev.companionbrain.jobs.indexing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The serialised forms the indexing job writes: dead-letter records, committables, engine JSON. */
class DeadLetterSerializerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String header(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    assertThat(h).as("header %s", name).isNotNull();
    return new String(h.value(), StandardCharsets.UTF_8);
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static IndexAction action(String id) {
    IndexAction a = new IndexAction();
    a.id = id;
    a.title = "Title of " + id;
    a.body = "Body of " + id;
    a.tags = new String[] {"x", "y z"};
    a.url = "https://example.org/" + id;
    a.updatedAt = "2024-05-01T10:30:00Z";
    a.vector = new float[384];
    a.vector[0] = 0.125f;
    a.sourceTimestamp = 99;
    return a;
  }

  @Nested
  class DeadLetters {
    /** Not even valid UTF-8: must pass untouched. */
    private final byte[] originalValue = {'{', (byte) 0xC3, (byte) 0x28, 'x'};

    private DeadLetter deadLetter() {
      DeadLetter d = new DeadLetter();
      d.key = utf8("doc-1");
      d.value = originalValue.clone();
      d.reason = "malformed_json";
      d.message = "not valid JSON: Unexpected character";
      d.sourceTopic = "documents";
      d.sourcePartition = 7;
      d.sourceOffset = 123_456_789_012L;
      d.sourceTimestamp = 1_700_000_000_000L;
      d.rejectedAt = 1_700_000_000_500L;
      return d;
    }

    @Test
    void keyAndValueAreTheOriginalBytes() {
      DeadLetter d = deadLetter();

      ProducerRecord<byte[], byte[]> record = new DeadLetterSerializer("documents.dlq").serialize(d, null, null);

      assertThat(record.topic()).isEqualTo("documents.dlq");
      assertThat(record.key()).containsExactly(utf8("doc-1"));
      assertThat(record.value()).containsExactly(originalValue);
      assertThat(record.partition()).isNull();
    }

    @Test
    void headersSayWhyAndWhereFrom() {
      ProducerRecord<byte[], byte[]> record =
          new DeadLetterSerializer("documents.dlq").serialize(deadLetter(), null, null);

      Headers headers = record.headers();
      assertThat(header(headers, "dlq.reason")).isEqualTo("malformed_json");
      assertThat(header(headers, "dlq.message")).isEqualTo("not valid JSON: Unexpected character");
      assertThat(header(headers, "dlq.topic")).isEqualTo("documents");
      assertThat(header(headers, "dlq.partition")).isEqualTo("7");
      assertThat(header(headers, "dlq.offset")).isEqualTo("123456789012");
      assertThat(header(headers, "dlq.timestamp")).isEqualTo("1700000000000");
      assertThat(header(headers, "dlq.rejected_at")).isEqualTo("1700000000500");
      assertThat(headers.toArray()).hasSize(7);
    }

    @Test
    void nullKeyAndValueStayNull() {
      DeadLetter d = deadLetter();
      d.key = null;
      d.value = null;

      ProducerRecord<byte[], byte[]> record = new DeadLetterSerializer("dlq").serialize(d, null, null);

      assertThat(record.key()).isNull();
      assertThat(record.value()).isNull();
      assertThat(header(record.headers(), "dlq.reason")).isEqualTo("malformed_json");
    }

    @Test
    void withoutSourceTopicOnlyReasonMessageAndTime() {
      DeadLetter d = deadLetter();
      d.sourceTopic = null;
      d.message = null;

      ProducerRecord<byte[], byte[]> record = new DeadLetterSerializer("dlq").serialize(d, null, null);

      Headers headers = record.headers();
      assertThat(header(headers, "dlq.reason")).isEqualTo("malformed_json");
      assertThat(header(headers, "dlq.message")).isEmpty();
      assertThat(header(headers, "dlq.rejected_at")).isEqualTo("1700000000500");
      assertThat(headers.lastHeader("dlq.topic")).isNull();
      assertThat(headers.lastHeader("dlq.partition")).isNull();
      assertThat(headers.lastHeader("dlq.offset")).isNull();
    }

    @Test
    void messageHeaderIsUtf8() {
      DeadLetter d = deadLetter();
      d.message = "id « café » refused";

      ProducerRecord<byte[], byte[]> record = new DeadLetterSerializer("dlq").serialize(d, null, null);

      assertThat(record.headers().lastHeader("dlq.message").value()).containsExactly(utf8("id « café » refused"));
    }
  }

  @Nested
  class MeilisearchDocuments {
    @Test
    void documentJsonHasTheDisplayFieldsAndNoVector() throws IOException {
      JsonNode doc = JSON.readTree(MeilisearchWriter.documentJson(action("doc-1")));

      assertThat(names(doc)).containsExactlyInAnyOrder("id", "title", "body", "tags", "url", "updated_at");
      assertThat(doc.path("id").asText()).isEqualTo("doc-1");
      assertThat(doc.path("title").asText()).isEqualTo("Title of doc-1");
      assertThat(doc.path("body").asText()).isEqualTo("Body of doc-1");
      assertThat(doc.path("tags").isArray()).isTrue();
      assertThat(doc.path("tags").get(0).asText()).isEqualTo("x");
      assertThat(doc.path("tags").get(1).asText()).isEqualTo("y z");
      assertThat(doc.path("url").asText()).isEqualTo("https://example.org/doc-1");
      assertThat(doc.path("updated_at").asText()).isEqualTo("2024-05-01T10:30:00Z");
      assertThat(doc.has("vector")).isFalse();
    }

    @Test
    void nullTagsBecomeAnEmptyArray() throws IOException {
      IndexAction a = action("doc-1");
      a.tags = null;
      a.url = null;

      JsonNode doc = JSON.readTree(MeilisearchWriter.documentJson(a));

      assertThat(doc.path("tags").isArray()).isTrue();
      assertThat(doc.path("tags").size()).isZero();
      assertThat(doc.path("url").isNull()).isTrue();
    }

    @Test
    void documentsJsonIsAnArrayInOrder() throws IOException {
      JsonNode docs = JSON.readTree(MeilisearchWriter.documentsJson(List.of(action("doc-1"), action("doc-2"), action("doc-3"))));

      assertThat(docs.isArray()).isTrue();
      assertThat(docs.size()).isEqualTo(3);
      List<String> ids = new ArrayList<>();
      docs.forEach(d -> {
        ids.add(d.path("id").asText());
        assertThat(d.has("vector")).isFalse();
      });
      assertThat(ids).containsExactly("doc-1", "doc-2", "doc-3");
    }

    @Test
    void emptyBatchIsAnEmptyArray() throws IOException {
      JsonNode docs = JSON.readTree(MeilisearchWriter.documentsJson(List.of()));

      assertThat(docs.isArray()).isTrue();
      assertThat(docs.size()).isZero();
    }

    @Test
    void textIsEscaped() throws IOException {
      IndexAction a = action("doc-1");
      a.title = "He said \"hi\"\\";
      a.body = "line one\nline two, ünïcode";

      JsonNode doc = JSON.readTree(MeilisearchWriter.documentsJson(List.of(a)));

      assertThat(doc.get(0).path("title").asText()).isEqualTo("He said \"hi\"\\");
      assertThat(doc.get(0).path("body").asText()).isEqualTo("line one\nline two, ünïcode");
    }
  }

  @Nested
  class RedisHydration {
    @Test
    void hydrationHasSnippetAndNeverTheVectorOrFullBody() throws IOException {
      JsonNode doc = JSON.readTree(RedisWriter.hydrationJson(action("doc-1")));

      assertThat(names(doc)).containsExactlyInAnyOrder("id", "title", "url", "tags", "updated_at", "snippet");
      assertThat(doc.path("id").asText()).isEqualTo("doc-1");
      assertThat(doc.path("title").asText()).isEqualTo("Title of doc-1");
      assertThat(doc.path("snippet").asText()).isEqualTo("Body of doc-1");
      assertThat(doc.path("tags").size()).isEqualTo(2);
      assertThat(doc.path("updated_at").asText()).isEqualTo("2024-05-01T10:30:00Z");
      assertThat(doc.has("vector")).isFalse();
    }

    @Test
    void longBodyIsCutToASnippet() throws IOException {
      IndexAction a = action("doc-1");
      a.body = "lorem ipsum ".repeat(200);

      JsonNode doc = JSON.readTree(RedisWriter.hydrationJson(a));

      String snippet = doc.path("snippet").asText();
      assertThat(snippet).endsWith("…");
      assertThat(snippet.length()).isLessThanOrEqualTo(dev.companionbrain.core.document.Document.SNIPPET_CHARS + 1);
      assertThat(a.body).startsWith(snippet.substring(0, snippet.length() - 1));
    }

    @Test
    void deletedFieldsAndNullTags() throws IOException {
      IndexAction a = action("doc-1");
      a.tags = null;
      a.body = null;
      a.vector = null;

      JsonNode doc = JSON.readTree(RedisWriter.hydrationJson(a));

      assertThat(doc.path("tags").isArray()).isTrue();
      assertThat(doc.path("tags").size()).isZero();
      assertThat(doc.path("snippet").asText()).isEmpty();
    }
  }
}
