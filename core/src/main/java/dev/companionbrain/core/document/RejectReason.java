package dev.companionbrain.core.document;

/** Why a submitted record was refused; written to the dead-letter topic with the original bytes. */
public enum RejectReason {
  /** Not parseable as JSON, or not a JSON object. */
  MALFORMED_JSON,
  /** No id, or an empty one. */
  MISSING_ID,
  /** An id outside the rule of {@link DocumentIds} (letters, digits, - and _, at most 511 bytes). */
  INVALID_ID,
  /** The record key is set and differs from the id (keys route every version of a document to one partition). */
  KEY_MISMATCH,
  /** A field of the wrong JSON type, or an updated_at that is not ISO-8601. */
  WRONG_TYPE,
  /** An upsert with neither title nor body. */
  EMPTY_DOCUMENT,
  /** A body over {@link DocumentParser#MAX_BODY_BYTES} bytes of UTF-8. */
  BODY_TOO_LARGE,
  /**
   * A keyword field over its limit: a tag over {@link DocumentParser#MAX_TAG_BYTES} bytes, more than
   * {@link DocumentParser#MAX_TAGS} tags, or a url over {@link DocumentParser#MAX_URL_BYTES} bytes of
   * UTF-8. Lucene cannot index a keyword term over 32,766 bytes; such a record would fail every bulk
   * that carries it, so it is refused here instead.
   */
  FIELD_TOO_LARGE,
  /** A vector whose length is not {@link DocumentParser#DIMENSIONS}. */
  WRONG_VECTOR_DIMENSION,
  /** An op other than upsert or delete. */
  UNKNOWN_OP;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
