package dev.companionbrain.core.search;

import java.util.Objects;

/**
 * A client sent an invalid search request. {@link #code()} is a stable, machine-readable reason
 * (such as {@code "invalid_k"}) and {@link #getMessage()} explains it to a human, naming the bad
 * part of the request.
 */
public final class BadRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** How much of a client's value an error message repeats. */
  private static final int MAX_QUOTED_CHARS = 64;

  private final String code;

  /**
   * @param code stable machine-readable reason, e.g. {@code "invalid_weights"}
   * @param message human-readable explanation naming the bad part of the request
   */
  public BadRequestException(String code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** Stable machine-readable reason, e.g. {@code "invalid_weights"}. */
  public String code() {
    return code;
  }

  /**
   * {@code value} in single quotes for an error message, cut short so that a huge client value
   * cannot bloat the response; {@code null} gives {@code "null"}.
   */
  static String quoted(String value) {
    if (value == null) {
      return "null";
    }
    if (value.length() <= MAX_QUOTED_CHARS) {
      return "'" + value + "'";
    }
    return "'" + value.substring(0, MAX_QUOTED_CHARS) + "...'";
  }
}
