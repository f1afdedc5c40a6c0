package dev.companionbrain.jobs.indexing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.companionbrain.core.document.Document;
import dev.companionbrain.core.document.DocumentChange;
import dev.companionbrain.core.index.IndexDefinitions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * What the sinks apply: an upsert (with a vector when it was supplied or computed; without one when
 * the embedded text is unchanged, so the stored vector stays) or a delete. Flink POJO.
 */
public class IndexAction {
  private static final JsonFactory JSON = JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
  public boolean delete;
  public String id;
  public String title;
  public String body;
  public String[] tags;
  public String url;
  public String updatedAt;
  public float[] vector;
  /** True when the vector must be computed from the text. */
  public boolean needsEmbedding;
  /** Kafka timestamp of the source record (for freshness). */
  public long sourceTimestamp;
  /**
   * Where the record came from and its bytes, untouched: what a dead letter needs when an engine
   * refuses the document (the engines' rejections are rare, but they must not need a second read of
   * Kafka). Null/-1 for actions made elsewhere (tests, benchmarks).
   */
  public String sourceTopic;
  public int sourcePartition = -1;
  public long sourceOffset = -1;
  public byte[] sourceKey;
  public byte[] sourceValue;

  public IndexAction() {}

  public static IndexAction from(DocumentChange change, long sourceTimestamp) {
    IndexAction a = new IndexAction();
    a.id = change.id();
    a.sourceTimestamp = sourceTimestamp;
    if (change.op() == DocumentChange.Op.DELETE) {
      a.delete = true;
      return a;
    }
    Document d = change.document();
    a.title = d.title();
    a.body = d.body();
    a.tags = d.tags().toArray(new String[0]);
    a.url = d.url();
    a.updatedAt = d.updatedAt();
    a.vector = change.vector();
    return a;
  }

  /** The same action, remembering the Kafka record it came from. */
  public IndexAction from(SourceRecord record) {
    sourceTopic = record.topic;
    sourcePartition = record.partition;
    sourceOffset = record.offset;
    sourceKey = record.key;
    sourceValue = record.value;
    return this;
  }

  public Document document() {
    return new Document(id, title, body, tags == null ? List.of() : Arrays.asList(tags), url, updatedAt);
  }

  /**
   * The document as both engines store it, in JSON: id, title, body, tags, url and updated_at (a field
   * the producer dropped is written as null, so an upsert clears it), then the vector when {@code
   * withVector} and the action has one. Floats go through Jackson's fast (Schubfach) writer: 384 of
   * them a document made the JDK's {@code Float.toString} the busiest code of the Elasticsearch sink.
   */
  public byte[] fieldsJson(boolean withVector) {
    boolean vectorToo = withVector && vector != null;
    ByteArrayOutputStream out = new ByteArrayOutputStream(vectorToo ? 4096 : 1024);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("id", id);
      json.writeStringField("title", title);
      json.writeStringField("body", body);
      json.writeArrayFieldStart("tags");
      if (tags != null) {
        for (String tag : tags) {
          json.writeString(tag);
        }
      }
      json.writeEndArray();
      json.writeStringField("url", url);
      json.writeStringField("updated_at", updatedAt);
      if (vectorToo) {
        json.writeFieldName(IndexDefinitions.VECTOR_FIELD);
        json.writeStartArray();
        for (float f : vector) {
          json.writeNumber(f);
        }
        json.writeEndArray();
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
