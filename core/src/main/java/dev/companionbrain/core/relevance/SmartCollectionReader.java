package dev.companionbrain.core.relevance;

import static dev.companionbrain.core.relevance.CollectionFiles.where;

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

  private SmartCollectionReader() {}

  /** One record: its {@code .I} number as written and its fields by letter, raw text. */
  private record SmartRecord(String number, int line, Map<Character, StringBuilder> fields) {
    String field(char letter) {
      StringBuilder text = fields.get(letter);
      return text == null ? "" : CollectionText.normalizeSpace(text.toString());
    }
  }

  /** How a SMART queries file's records get their ids. */
  enum QueryIds {
    /** The 1-based position in the file (Cranfield: cranqrel numbers cran.qry's queries 1..225). */
    POSITION,
    /** The {@code .I} number, leading zeros dropped (CISI, MED, CACM: their judgements use it). */
    NUMBER
  }

  /**
   * The documents: {@code <idPrefix><.I number>}, title = {@code .T}, body = {@code .W}; other
   * fields ({@code .A}, {@code .B}, {@code .N}, {@code .X} ...) are dropped.
   */
  static List<CollectionDocument> documents(Path file, String idPrefix) {
    List<CollectionDocument> documents = new ArrayList<>();
    for (SmartRecord document : records(file)) {
      int number = CollectionFiles.integer(document.number(), file, document.line());
      documents.add(
          new CollectionDocument(idPrefix + number, document.field('T'), document.field('W')));
    }
    return documents;
  }

  /**
   * The queries: text = {@code .T} (when there is one) then {@code .W}; other fields are dropped.
   */
  static List<CollectionQuery> queries(Path file, QueryIds ids) {
    List<CollectionQuery> queries = new ArrayList<>();
    for (SmartRecord query : records(file)) {
      String id =
          ids == QueryIds.POSITION
              ? Integer.toString(queries.size() + 1)
              : Integer.toString(CollectionFiles.integer(query.number(), file, query.line()));
      queries.add(
          new CollectionQuery(
              id, CollectionText.normalizeSpace(query.field('T') + " " + query.field('W'))));
    }
    return queries;
  }

  /** The judgement file's document ids: {@code <idPrefix><number>}. */
  static JudgementLines.Ids documentIds(String idPrefix) {
    return (raw, file, lineNumber) -> idPrefix + CollectionFiles.integer(raw, file, lineNumber);
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
    Parse parse = new Parse();
    CollectionFiles.forEachLine(
        file,
        (line, lineNumber) -> {
          Matcher recordStart = RECORD_START.matcher(line);
          if (recordStart.matches()) {
            parse.current =
                new SmartRecord(recordStart.group(1), lineNumber, new LinkedHashMap<>());
            records.add(parse.current);
            parse.field = null;
            return;
          }
          Matcher fieldStart = FIELD_START.matcher(line);
          if (fieldStart.matches()) {
            if (parse.current == null) {
              throw new IllegalArgumentException(
                  where(file, lineNumber) + ": field marker '" + line.strip()
                      + "' before the first .I line");
            }
            char letter = fieldStart.group(1).charAt(0);
            if (!parse.current.fields().containsKey(letter)) {
              parse.field = letter;
              parse.current.fields().put(letter, new StringBuilder());
            }
            // else: a stray repeat of a field this record already has; the current field continues
            return;
          }
          if (parse.current == null || parse.field == null) {
            throw new IllegalArgumentException(
                where(file, lineNumber) + ": text outside any field (expected .I"
                    + " <number> or a field marker such as .T or .W)");
          }
          parse.current.fields().get(parse.field).append(line).append(' ');
        });
    return records;
  }

  /** Where {@link #records(Path)} is: the record and field the next text line belongs to. */
  private static final class Parse {
    SmartRecord current;
    Character field;
  }
}
