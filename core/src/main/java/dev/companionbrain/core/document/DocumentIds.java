package dev.companionbrain.core.document;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The document id rule, applied before indexing so that no engine rejects a batch for one id:
 * Meilisearch accepts ids of ASCII letters, digits, hyphen and underscore, at most 511 bytes;
 * Elasticsearch accepts those too (its own limit is 512 bytes).
 */
public final class DocumentIds {
  public static final int MAX_BYTES = 511;
  private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9_-]+");

  private DocumentIds() {}

  public static boolean isValid(String id) {
    return id != null && !id.isEmpty() && id.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES
        && ALLOWED.matcher(id).matches();
  }
}
