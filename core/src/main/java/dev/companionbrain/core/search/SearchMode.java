package dev.companionbrain.core.search;

import java.util.Locale;
import java.util.Optional;

/** Which retrievers a search uses: all of them fused ({@link #HYBRID}), or exactly one. */
public enum SearchMode {
  /** Every retriever with a weight {@code > 0}, merged by a {@link Fusion}. */
  HYBRID,
  /** {@link Retriever#TEXT} only. */
  TEXT,
  /** {@link Retriever#KEYWORD} only. */
  KEYWORD,
  /** {@link Retriever#VECTOR} only. */
  VECTOR;

  /** The name used in URLs: the lower-case constant name, e.g. {@code "hybrid"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The only retriever this mode uses; empty for {@link #HYBRID}. */
  public Optional<Retriever> single() {
    return switch (this) {
      case HYBRID -> Optional.empty();
      case TEXT -> Optional.of(Retriever.TEXT);
      case KEYWORD -> Optional.of(Retriever.KEYWORD);
      case VECTOR -> Optional.of(Retriever.VECTOR);
    };
  }

  /**
   * The mode with this wire name, ignoring case and surrounding whitespace.
   *
   * @throws BadRequestException with code {@code "invalid_mode"} if {@code value} is null or names
   *     no mode
   */
  public static SearchMode fromWire(String value) {
    if (value != null) {
      String wanted = value.strip();
      for (SearchMode mode : values()) {
        if (mode.wireName().equalsIgnoreCase(wanted)) {
          return mode;
        }
      }
    }
    throw new BadRequestException(
        "invalid_mode",
        "unknown mode " + BadRequestException.quoted(value)
            + "; expected hybrid, text, keyword or vector");
  }
}
