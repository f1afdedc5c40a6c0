package dev.companionbrain.core.index;

import java.util.Set;

/**
 * What to do with a failed write, from the engine's structured error (never its message text):
 * a malformed document goes to the dead-letter topic; a version conflict of a replay is ignored;
 * a transient failure is retried with back-off; 4xx are not retried.
 */
public final class FailureClassifier {
  public enum Outcome { RETRY, DEAD_LETTER, IGNORE }

  private static final Set<String> DOCUMENT_ERRORS_ES = Set.of(
      "mapper_parsing_exception", "illegal_argument_exception", "document_parsing_exception",
      "strict_dynamic_mapping_exception");
  /**
   * Refusals of the document by the index's ingest pipeline, whatever the status (OpenSearch answers a
   * {@code fail} processor with 500 {@code fail_processor_exception}): the same document is refused
   * again on every try, so it is dead-lettered, not retried.
   */
  private static final Set<String> PIPELINE_REFUSALS_ES = Set.of("fail_processor_exception");

  private FailureClassifier() {}

  /** A Meilisearch task error: {@code type} invalid_request is the document's fault; internal/system are transient. */
  public static Outcome meilisearchTask(String type, String code) {
    if (type == null) {
      return Outcome.RETRY;
    }
    return switch (type) {
      case "invalid_request" -> "index_not_found".equals(code) ? Outcome.RETRY : Outcome.DEAD_LETTER;
      default -> Outcome.RETRY; // internal, system, auth (auth fails loudly after the retries)
    };
  }

  /** A failed Elasticsearch bulk item: HTTP status and error {@code type}. */
  public static Outcome elasticsearchItem(int status, String type) {
    if (type != null && PIPELINE_REFUSALS_ES.contains(type)) {
      return Outcome.DEAD_LETTER;
    }
    if (status == 409) {
      return Outcome.IGNORE; // version conflict of a replayed write
    }
    if (status == 429 || status >= 500 || status == 404 || status == 401 || status == 403) {
      return Outcome.RETRY; // transient, or the index/credentials are wrong: retry, then fail loudly; never dead-letter the stream
    }
    if (status == 400 && type != null && DOCUMENT_ERRORS_ES.contains(type)) {
      return Outcome.DEAD_LETTER;
    }
    return status >= 400 && status < 500 ? Outcome.DEAD_LETTER : Outcome.RETRY;
  }
}
