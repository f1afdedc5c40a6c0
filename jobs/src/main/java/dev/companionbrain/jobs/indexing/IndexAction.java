package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.document.Document;
import dev.companionbrain.core.document.DocumentChange;
import java.util.Arrays;
import java.util.List;

/**
 * What the sinks apply: an upsert (with a vector when it was supplied or computed; without one when
 * the embedded text is unchanged, so the stored vector stays) or a delete. Flink POJO.
 */
public class IndexAction {
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

  public Document document() {
    return new Document(id, title, body, tags == null ? List.of() : Arrays.asList(tags), url, updatedAt);
  }
}
