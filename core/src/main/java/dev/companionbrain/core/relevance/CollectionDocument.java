package dev.companionbrain.core.relevance;

import dev.companionbrain.core.document.DocumentIds;
import java.util.Objects;

/**
 * One document of a {@link TestCollection}.
 *
 * @param id document id, valid under the product's id rule ({@link DocumentIds#isValid(String)}:
 *     {@code [A-Za-z0-9_-]{1,511}})
 * @param title the title, whitespace-normalised; empty when the collection has none
 * @param body the text, whitespace-normalised; may be empty (two Cranfield documents are)
 */
public record CollectionDocument(String id, String title, String body) {
  /**
   * @throws NullPointerException if any component is null
   * @throws IllegalArgumentException if {@code id} breaks the product's id rule
   */
  public CollectionDocument {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(body, "body");
    if (!DocumentIds.isValid(id)) {
      throw new IllegalArgumentException(
          "document id '" + id + "' must match [A-Za-z0-9_-] and be 1.." + DocumentIds.MAX_BYTES
              + " bytes long");
    }
  }
}
