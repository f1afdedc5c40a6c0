package dev.companionbrain.core.relevance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Line-by-line reading and error locations shared by the collection readers. */
final class CollectionFiles {
  private CollectionFiles() {}

  /** What to do with one non-blank line. */
  @FunctionalInterface
  interface LineAction {
    void accept(String line, int lineNumber);
  }

  /**
   * Streams the non-blank lines of a UTF-8 file with their 1-based line numbers, without a leading
   * byte order mark. Malformed bytes are replaced instead of failing (the old SMART files are not
   * all clean UTF-8); lines may end in {@code \n}, {@code \r\n} or {@code \r}.
   */
  static void forEachLine(Path file, LineAction action) {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
      int lineNumber = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lineNumber++;
        String text = lineNumber == 1 && line.startsWith("\uFEFF") ? line.substring(1) : line;
        if (!text.isBlank()) {
          action.accept(text, lineNumber);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Parses a decimal integer (leading zeros allowed), or names file and line. */
  static int integer(String text, Path file, int lineNumber) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          where(file, lineNumber) + ": '" + text + "' is not an integer", e);
    }
  }

  /** {@code file:line}, the prefix of every malformed-input message. */
  static String where(Path file, int lineNumber) {
    return file + ":" + lineNumber;
  }
}
