package dev.companionbrain.core.relevance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a collection in the SMART layout (Cranfield, CISI, MED...), see {@link TestCollections}.
 *
 * <p>A SMART file is a sequence of records. A record starts with a line {@code .I <number>}; a
 * line holding only a dot and one capital letter ({@code .T}, {@code .A}, {@code .B}, {@code .W},
 * ...) starts a field that runs to the next marker. A marker naming a field the record already has
 * is a stray: its line is dropped and the following lines continue the current field (Cranfield
 * document 240 has stray {@code .A} and {@code .B} lines inside its text, documents 576 and 578 a
 * second {@code .W}).
 */
final class SmartCollectionReader {
  private static final Pattern RECORD_START = Pattern.compile("\\.I\\s+(\\S+)\\s*");
  private static final Pattern FIELD_START = Pattern.compile("\\.([A-Z])\\s*");
  private static final Pattern BLANKS = Pattern.compile("\\s+");

  private SmartCollectionReader() {}

  /** One record: its {@code .I} number as written and its fields by letter, raw text. */
  private record SmartRecord(String number, int line, Map<Character, StringBuilder> fields) {
    String field(char letter) {
      StringBuilder text = fields.get(letter);
      return text == null ? "" : CollectionText.normalizeSpace(text.toString());
    }
  }

  static TestCollection read(String name, Path documentsFile, Path queriesFile, Path qrelsFile) {
    String idPrefix = idPrefix(documentsFile);

    List<CollectionDocument> documents = new ArrayList<>();
    for (SmartRecord document : records(documentsFile)) {
      int documentNumber = number(document.number(), documentsFile, document.line());
      documents.add(
          new CollectionDocument(
              idPrefix + documentNumber, document.field('T'), document.field('W')));
    }

    List<CollectionQuery> queries = new ArrayList<>();
    for (SmartRecord query : records(queriesFile)) {
      queries.add(new CollectionQuery(Integer.toString(queries.size() + 1), query.field('W')));
    }

    return new TestCollection(name, documents, queries, qrels(qrelsFile, idPrefix));
  }

  /**
   * {@code "cran-"} for {@code cran.all.1400}: the file name up to its first dot, lower case,
   * characters outside {@code [a-z0-9_-]} replaced with {@code '_'}, then a hyphen.
   */
  static String idPrefix(Path documentsFile) {
    String fileName = documentsFile.getFileName().toString();
    int dot = fileName.indexOf('.');
    String stem = dot < 0 ? fileName : fileName.substring(0, dot);
    stem = CollectionText.toIdChars(stem.toLowerCase(Locale.ROOT));
    return (stem.isEmpty() ? "doc" : stem) + "-";
  }

  private static List<SmartRecord> records(Path file) {
    List<SmartRecord> records = new ArrayList<>();
    SmartRecord current = null;
    Character field = null;
    int lineNumber = 0;
    for (String line : lines(file)) {
      lineNumber++;
      Matcher recordStart = RECORD_START.matcher(line);
      if (recordStart.matches()) {
        current = new SmartRecord(recordStart.group(1), lineNumber, new LinkedHashMap<>());
        records.add(current);
        field = null;
        continue;
      }
      Matcher fieldStart = FIELD_START.matcher(line);
      if (fieldStart.matches()) {
        if (current == null) {
          throw new IllegalArgumentException(
              where(file, lineNumber) + ": field marker '" + line.strip() + "' before the first .I line");
        }
        char letter = fieldStart.group(1).charAt(0);
        if (!current.fields().containsKey(letter)) {
          field = letter;
          current.fields().put(letter, new StringBuilder());
        }
        // else: a stray repeat of a field this record already has; the current field continues
        continue;
      }
      if (line.isBlank()) {
        continue;
      }
      if (current == null || field == null) {
        throw new IllegalArgumentException(
            where(file, lineNumber) + ": text outside any field (expected .I <number> or a field marker"
                + " such as .T or .W)");
      }
      current.fields().get(field).append(line).append(' ');
    }
    return records;
  }

  private static Map<String, Map<String, Integer>> qrels(Path file, String idPrefix) {
    Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
    int lineNumber = 0;
    for (String line : lines(file)) {
      lineNumber++;
      if (line.isBlank()) {
        continue;
      }
      String[] columns = BLANKS.split(line.strip());
      if (columns.length < 3) {
        throw new IllegalArgumentException(
            where(file, lineNumber) + ": expected 'queryNo docNo grade', got '" + line.strip() + "'");
      }
      String queryId = Integer.toString(number(columns[0], file, lineNumber));
      String documentId = idPrefix + number(columns[1], file, lineNumber);
      int grade = number(columns[2], file, lineNumber);
      qrels.computeIfAbsent(queryId, id -> new LinkedHashMap<>()).put(documentId, grade);
    }
    return qrels;
  }

  private static int number(String text, Path file, int lineNumber) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          where(file, lineNumber) + ": '" + text + "' is not an integer", e);
    }
  }

  private static List<String> lines(Path file) {
    try {
      // decoding replaces malformed bytes instead of failing; String.lines() accepts \n, \r\n, \r
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static String where(Path file, int lineNumber) {
    return file + ":" + lineNumber;
  }
}
