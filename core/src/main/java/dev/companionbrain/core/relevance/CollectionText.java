package dev.companionbrain.core.relevance;

import java.util.regex.Pattern;

/** Text and id clean-up shared by the collection readers. */
final class CollectionText {
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final Pattern NOT_ID_CHAR = Pattern.compile("[^A-Za-z0-9_-]");

  private CollectionText() {}

  /** Trims and joins the words with single spaces: {@code "  a\n  b\t"} becomes {@code "a b"}. */
  static String normalizeSpace(String text) {
    return WHITESPACE.matcher(text).replaceAll(" ").strip();
  }

  /** Replaces every character outside {@code [A-Za-z0-9_-]} with {@code '_'}. */
  static String toIdChars(String raw) {
    return NOT_ID_CHAR.matcher(raw).replaceAll("_");
  }
}
