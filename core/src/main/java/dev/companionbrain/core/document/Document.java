package dev.companionbrain.core.document;

import java.util.List;

/**
 * A searchable document as producers send it (without the optional vector).
 *
 * @param id unique id, see {@link DocumentIds}
 * @param title may be empty
 * @param body may be empty (but not both title and body)
 * @param tags keywords for filtering, never null
 * @param url may be null
 * @param updatedAt ISO-8601 instant as sent, may be null
 */
public record Document(String id, String title, String body, List<String> tags, String url, String updatedAt) {
  /** Length of the snippet shown with a hit, from Redis or from the engine alike. */
  public static final int SNIPPET_CHARS = 240;

  public Document {
    tags = tags == null ? List.of() : List.copyOf(tags);
    title = title == null ? "" : title;
    body = body == null ? "" : body;
  }

  /** The text that is embedded: title and body. */
  public String embeddingText() {
    return embeddingText(title, body);
  }

  /** The text embedded for a document of this title and body (neither null). */
  public static String embeddingText(String title, String body) {
    if (title.isEmpty()) {
      return body;
    }
    return body.isEmpty() ? title : title + ". " + body;
  }

  /** The snippet shown with a hit: the first {@link #SNIPPET_CHARS} characters of the body. */
  public String snippet() {
    return snippet(SNIPPET_CHARS);
  }

  /** The first {@code maxChars} characters of the body, cut at a word boundary when possible. */
  public String snippet(int maxChars) {
    if (body.length() <= maxChars) {
      return body;
    }
    int cut = body.lastIndexOf(' ', maxChars);
    if (cut <= maxChars / 2) {
      cut = Character.isLowSurrogate(body.charAt(maxChars)) ? maxChars - 1 : maxChars; // never half a character
    }
    return body.substring(0, cut) + "…";
  }
}
