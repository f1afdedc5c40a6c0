package dev.companionbrain.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/**
 * The records the benchmarks write to the documents topic, in the format of docs/DOCUMENTS.md: an upsert
 * as {@code ./brain ingest} writes a collection document (no tags), with a producer-supplied vector when
 * given, and a delete.
 */
final class DocumentJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DocumentJson() {}

  /** @param vector the document's embedding, or null for the job to embed it */
  static String upsert(String id, String title, String body, float[] vector) {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("op", "upsert");
    doc.put("id", id);
    doc.put("title", title);
    doc.put("body", body);
    doc.putArray("tags");
    if (vector != null) {
      ArrayNode v = doc.putArray("vector");
      for (float x : vector) {
        v.add(x);
      }
    }
    return write(doc);
  }

  static String delete(String id) {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("op", "delete");
    doc.put("id", id);
    return write(doc);
  }

  private static String write(ObjectNode doc) {
    try {
      return JSON.writeValueAsString(doc);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
