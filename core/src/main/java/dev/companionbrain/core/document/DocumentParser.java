package dev.companionbrain.core.document;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.text.VisibleText;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses and validates the JSON of topic {@code documents}:
 * <pre>{"op":"upsert","id":"…","title":"…","body":"…","tags":["…"],"url":"…","updated_at":"ISO-8601","vector":[384 floats]}
 * {"op":"delete","id":"…"}</pre>
 * A missing op means upsert. Never throws for bad input: it returns a {@link ParseResult.Rejected}.
 */
public final class DocumentParser {
  /** Dimensions of the vectors (all-MiniLM-L6-v2). */
  public static final int DIMENSIONS = 384;
  /** Largest body accepted, in bytes of UTF-8 (the embedder reads only the first ~256 tokens anyway). */
  public static final int MAX_BODY_BYTES = 100_000;
  /** Largest tag, in bytes of UTF-8 (tags are keyword terms and Meilisearch facet values). */
  public static final int MAX_TAG_BYTES = 256;
  /** Most tags on one document. */
  public static final int MAX_TAGS = 100;
  /** Largest url, in bytes of UTF-8. */
  public static final int MAX_URL_BYTES = 2048;
  private static final java.time.Instant FIRST_INSTANT = java.time.Instant.parse("0000-01-01T00:00:00Z");
  private static final java.time.Instant LAST_INSTANT = java.time.Instant.parse("9999-12-31T23:59:59.999999999Z");
  // producer-supplied vectors are 384 numbers a document: the fast parser reads them several times quicker
  private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();

  private DocumentParser() {}

  /**
   * @param key the Kafka record key (may be null)
   * @param value the record value
   */
  public static ParseResult parse(byte[] key, byte[] value) {
    if (value == null) {
      return tombstone(key);
    }
    JsonNode root;
    try {
      root = value == null ? null : JSON.readTree(value);
    } catch (JsonProcessingException e) {
      return reject(RejectReason.MALFORMED_JSON, "not valid JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      return reject(RejectReason.MALFORMED_JSON, "not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      return reject(RejectReason.MALFORMED_JSON, "not a JSON object");
    }
    JsonNode idNode = root.get("id");
    if (idNode == null || idNode.isNull() || (idNode.isTextual() && idNode.asText().isEmpty())) {
      return reject(RejectReason.MISSING_ID, "id is missing or empty");
    }
    if (!idNode.isTextual()) {
      return reject(RejectReason.WRONG_TYPE, "id must be a string");
    }
    String id = idNode.asText();
    if (!DocumentIds.isValid(id)) {
      return reject(RejectReason.INVALID_ID, "id must be 1-511 bytes of A-Z a-z 0-9 - _");
    }
    if (key != null && key.length > 0 && !id.equals(new String(key, StandardCharsets.UTF_8))) {
      return reject(RejectReason.KEY_MISMATCH, "record key differs from id");
    }
    JsonNode opNode = root.get("op");
    String op = "upsert";
    if (opNode != null && !opNode.isNull()) {
      if (!opNode.isTextual()) {
        return reject(RejectReason.WRONG_TYPE, "op must be a string");
      }
      op = opNode.asText();
    }
    switch (op) {
      case "delete":
        return new ParseResult.Valid(DocumentChange.delete(id));
      case "upsert":
        return upsert(id, root);
      default:
        return reject(RejectReason.UNKNOWN_OP, "op must be upsert or delete");
    }
  }

  /**
   * A record without a value, Kafka's tombstone: the delete of the document its key names (on the
   * compacted documents topic, compaction then drops the document's older records and, later, the
   * tombstone itself).
   */
  private static ParseResult tombstone(byte[] key) {
    if (key == null || key.length == 0) {
      return reject(RejectReason.MISSING_ID, "a record without a value (a tombstone) needs the document's id as its key");
    }
    String id = new String(key, StandardCharsets.UTF_8);
    if (!DocumentIds.isValid(id)) {
      return reject(RejectReason.INVALID_ID, "the key of a tombstone must be a document id: 1-511 bytes of A-Z a-z 0-9 - _");
    }
    return new ParseResult.Valid(DocumentChange.delete(id));
  }

  private static ParseResult upsert(String id, JsonNode root) {
    String title;
    String body;
    String url;
    String updatedAt;
    try {
      title = optionalText(root, "title");
      body = optionalText(root, "body");
      url = optionalText(root, "url");
      updatedAt = optionalText(root, "updated_at");
    } catch (WrongType e) {
      return reject(RejectReason.WRONG_TYPE, e.getMessage());
    }
    if (updatedAt != null) {
      java.time.Instant instant;
      try {
        instant = OffsetDateTime.parse(updatedAt).toInstant();
      } catch (DateTimeParseException e) {
        try {
          instant = DateTimeFormatter.ISO_INSTANT.parse(updatedAt, java.time.Instant::from);
        } catch (DateTimeParseException e2) {
          return reject(RejectReason.WRONG_TYPE, "updated_at must be an ISO-8601 timestamp with offset");
        }
      }
      // Elasticsearch's date format takes four-digit years only; "+10000-01-01T00:00:00Z" would fail every bulk
      if (instant.isBefore(FIRST_INSTANT) || instant.isAfter(LAST_INSTANT)) {
        return reject(RejectReason.WRONG_TYPE, "updated_at must lie between the years 0000 and 9999");
      }
      updatedAt = instant.toString();
    }
    List<String> tags = new ArrayList<>();
    JsonNode tagsNode = root.get("tags");
    if (tagsNode != null && !tagsNode.isNull()) {
      if (!tagsNode.isArray()) {
        return reject(RejectReason.WRONG_TYPE, "tags must be an array of strings");
      }
      for (JsonNode tag : tagsNode) {
        if (!tag.isTextual()) {
          return reject(RejectReason.WRONG_TYPE, "tags must be an array of strings");
        }
        if (overBytes(tag.asText(), MAX_TAG_BYTES)) {
          return reject(RejectReason.FIELD_TOO_LARGE, "a tag is over " + MAX_TAG_BYTES + " bytes");
        }
        tags.add(tag.asText());
      }
      if (tags.size() > MAX_TAGS) {
        return reject(RejectReason.FIELD_TOO_LARGE, "more than " + MAX_TAGS + " tags");
      }
    }
    if (url != null && overBytes(url, MAX_URL_BYTES)) {
      return reject(RejectReason.FIELD_TOO_LARGE, "url is over " + MAX_URL_BYTES + " bytes");
    }
    if (VisibleText.isEmpty(title) && VisibleText.isEmpty(body)) {
      return reject(RejectReason.EMPTY_DOCUMENT, "an upsert needs a title or a body with something visible in it");
    }
    if (body != null && overBytes(body, MAX_BODY_BYTES)) {
      return reject(RejectReason.BODY_TOO_LARGE, "body is over " + MAX_BODY_BYTES + " bytes");
    }
    float[] vector = null;
    JsonNode vectorNode = root.get("vector");
    if (vectorNode != null && !vectorNode.isNull()) {
      if (!vectorNode.isArray()) {
        return reject(RejectReason.WRONG_TYPE, "vector must be an array of numbers");
      }
      if (vectorNode.size() != DIMENSIONS) {
        return reject(RejectReason.WRONG_VECTOR_DIMENSION,
            "vector has " + vectorNode.size() + " dimensions, expected " + DIMENSIONS);
      }
      vector = new float[DIMENSIONS];
      boolean allZero = true;
      for (int i = 0; i < DIMENSIONS; i++) {
        JsonNode v = vectorNode.get(i);
        float f = v.isNumber() ? (float) v.asDouble() : Float.NaN;
        if (!Float.isFinite(f)) {
          return reject(RejectReason.WRONG_TYPE, "vector[" + i + "] is not a finite 32-bit float");
        }
        allZero &= f == 0f;
        vector[i] = f;
      }
      if (allZero) {
        // cosine similarity is undefined for a zero vector: OpenSearch refuses it, Elasticsearch 7 yields NaN
        return reject(RejectReason.WRONG_TYPE, "vector is all zeros (cosine similarity is undefined)");
      }
      normalize(vector);
    }
    return new ParseResult.Valid(new DocumentChange(DocumentChange.Op.UPSERT, id,
        new Document(id, title, body, tags, url, updatedAt), vector));
  }

  /**
   * Scales a vector to unit length, which leaves every cosine similarity as it was. Lucene computes
   * cosine in 32-bit floats: a vector of large values (say 3e38) overflows its norm, and one such
   * document made every kNN search of the index fail with an error (seen on OpenSearch 2.19); tiny
   * values underflow the same way. The norm is taken in doubles, where neither can happen.
   */
  static void normalize(float[] vector) {
    double sum = 0;
    for (float f : vector) {
      sum += (double) f * f;
    }
    double norm = Math.sqrt(sum);
    for (int i = 0; i < vector.length; i++) {
      vector[i] = (float) (vector[i] / norm);
    }
  }

  /** Whether {@code text} takes more than {@code max} bytes of UTF-8 (every limit here counts bytes, not chars). */
  private static boolean overBytes(String text, int max) {
    return text.getBytes(StandardCharsets.UTF_8).length > max;
  }

  private static String optionalText(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new WrongType(field + " must be a string");
    }
    return node.asText();
  }

  private static ParseResult reject(RejectReason reason, String message) {
    return new ParseResult.Rejected(reason, message);
  }

  private static final class WrongType extends RuntimeException {
    WrongType(String message) {
      super(message, null, false, false);
    }
  }
}
