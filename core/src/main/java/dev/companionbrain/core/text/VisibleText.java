package dev.companionbrain.core.text;

/**
 * What a text shows a reader, and so what a search can use: the one definition of "empty" that the
 * query validation, the cache key, the embedder and the document validation share.
 *
 * <ul>
 *   <li>Whitespace of any script and control characters (such as NUL) separate words: every run of
 *       them becomes one space, and none is kept at either end.
 *   <li>Format characters (right-to-left and zero-width marks, the byte-order mark, soft hyphens),
 *       lone surrogates, variation selectors and the Hangul fillers are dropped: they show nothing.
 *       So is U+FFFD, which stands for bytes that were not UTF-8 (the HTTP server decodes a query
 *       string that way); the embedder's tokenizer drops it too.
 *   <li>A text is {@linkplain #isEmpty empty} when nothing else is left, or only combining marks,
 *       which no retriever can search for (the embedder's tokenizer strips them, leaving no token).
 * </ul>
 */
public final class VisibleText {
  private VisibleText() {}

  /** The text with separators made single spaces, invisible characters dropped, case kept. */
  public static String clean(String text) {
    return fold(text, false);
  }

  /** {@link #clean} in lower case: the form a cache key compares. */
  public static String normalize(String text) {
    return fold(text, true);
  }

  /** Whether {@code text} (null included) holds nothing a search can use. */
  public static boolean isEmpty(String text) {
    if (text == null) {
      return true;
    }
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (!isSeparator(cp) && !isInvisible(cp)) {
        int type = Character.getType(cp);
        if (type != Character.NON_SPACING_MARK && type != Character.ENCLOSING_MARK) {
          return false;
        }
      }
    }
    return true;
  }

  /** Whitespace of any script, or a control character: both end a word. */
  static boolean isSeparator(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.getType(cp) == Character.CONTROL;
  }

  /** A character that shows nothing and separates nothing. */
  static boolean isInvisible(int cp) {
    int type = Character.getType(cp);
    return type == Character.FORMAT
        || type == Character.SURROGATE
        || (cp >= 0xFE00 && cp <= 0xFE0F) // variation selectors
        || (cp >= 0xE0100 && cp <= 0xE01EF)
        || cp == 0xFFFD // the replacement character: bytes that were not UTF-8
        || cp == 0x034F // combining grapheme joiner
        || cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 // Hangul fillers
        || cp == 0x17B4 || cp == 0x17B5; // Khmer inherent vowels
  }

  /**
   * Whether {@code text} is ASCII that {@link #fold} would return unchanged: visible characters and
   * single spaces between them, in lower case when {@code lowerCase}. Text is checked once more on
   * its way through a request (the query, its window, its cache key); this makes that cheap.
   */
  private static boolean isFoldedAscii(String text, boolean lowerCase) {
    int n = text.length();
    if (n == 0 || text.charAt(0) == ' ' || text.charAt(n - 1) == ' ') {
      return n == 0;
    }
    boolean space = false;
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c == ' ') {
        if (space) {
          return false;
        }
        space = true;
      } else if (c < ' ' || c >= 0x7F || (lowerCase && c >= 'A' && c <= 'Z')) {
        return false;
      } else {
        space = false;
      }
    }
    return true;
  }

  /**
   * ASCII characters, nearly all of a query, take a branch of plain comparisons (it runs on every
   * request, cache hits included); the rest go through the Unicode tables.
   */
  private static String fold(String text, boolean lowerCase) {
    if (isFoldedAscii(text, lowerCase)) {
      return text; // nothing to change: no copy
    }
    StringBuilder out = new StringBuilder(text.length());
    boolean space = false;
    for (int i = 0; i < text.length(); ) {
      char c = text.charAt(i);
      int cp;
      boolean separator;
      if (c < 0x80) {
        i++;
        separator = c <= ' ' || c == 0x7F;
        cp = lowerCase && c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
      } else {
        cp = text.codePointAt(i);
        i += Character.charCount(cp);
        if (isInvisible(cp)) {
          continue;
        }
        separator = isSeparator(cp);
        if (lowerCase) {
          cp = Character.toLowerCase(cp);
        }
      }
      if (separator) {
        space = out.length() > 0;
        continue;
      }
      if (space) {
        out.append(' ');
        space = false;
      }
      if (cp < Character.MIN_SUPPLEMENTARY_CODE_POINT) {
        out.append((char) cp);
      } else {
        out.appendCodePoint(cp);
      }
    }
    return out.toString();
  }
}
