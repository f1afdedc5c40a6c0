package dev.companionbrain.core.relevance;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How one layout writes a relevance judgement a line: which column holds the query, which the
 * document, and which (if any) the grade. The query is always the first column. Without a grade
 * column every listed pair is relevant and gets grade {@value #LISTED_GRADE}.
 *
 * @param shape the expected line, for error messages
 * @param columns the fewest columns a line must have
 * @param documentColumn 0-based column of the document
 * @param gradeColumn 0-based column of the grade, or {@value #NO_GRADE} when listing a pair makes
 *     it relevant
 * @param tabSeparated whether a line holding a tab is split on tabs only (BEIR), otherwise on any
 *     run of blanks
 * @param header a first column that marks a header line to skip at the top, or null
 */
record JudgementLines(
    String shape,
    int columns,
    int documentColumn,
    int gradeColumn,
    boolean tabSeparated,
    String header) {

  /** The {@code gradeColumn} of lines without a grade. */
  static final int NO_GRADE = -1;

  /** The grade of a pair whose listing is its judgement. */
  static final int LISTED_GRADE = 1;

  /** Cranfield's {@code cranqrel}: {@code queryNo docNo grade}, grade 1..4 relevant, -1 not. */
  static final JudgementLines CRANFIELD =
      new JudgementLines("queryNo docNo grade", 3, 1, 2, false, null);

  /** CISI.REL and CACM's qrels.text: {@code queryNo docNo x y}, the last two unused. */
  static final JudgementLines LISTED =
      new JudgementLines("queryNo docNo ...", 2, 1, NO_GRADE, false, null);

  /** MED.REL: {@code queryNo 0 docNo 1}, every listed pair relevant. */
  static final JudgementLines MED =
      new JudgementLines("queryNo 0 docNo ...", 3, 2, NO_GRADE, false, null);

  /** TREC qrels: {@code qid iteration docid grade}, grade > 0 relevant. */
  static final JudgementLines TREC = new JudgementLines("qid 0 docid grade", 4, 2, 3, false, null);

  /** BEIR's qrels/test.tsv: {@code query-id<TAB>corpus-id<TAB>score}, header optional. */
  static final JudgementLines BEIR =
      new JudgementLines("query-id<TAB>corpus-id<TAB>score", 3, 1, 2, true, "query-id");

  private static final Pattern BLANKS = Pattern.compile("\\s+");

  /** Maps an id as written in a file to the collection's id, or names file and line. */
  @FunctionalInterface
  interface Ids {
    /** Ids kept as written. */
    Ids AS_WRITTEN = (raw, file, lineNumber) -> raw;

    /** Integers, leading zeros dropped: {@code "001"} becomes {@code "1"}. */
    Ids NUMBER =
        (raw, file, lineNumber) -> Integer.toString(CollectionFiles.integer(raw, file, lineNumber));

    String id(String raw, Path file, int lineNumber);
  }

  /** Reads the judgements: query id to (document id to grade), in file order. */
  Map<String, Map<String, Integer>> read(Path file, Ids queryIds, Ids documentIds) {
    Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
    CollectionFiles.forEachLine(
        file,
        (line, lineNumber) -> {
          String stripped = line.strip();
          String[] cells =
              tabSeparated && stripped.contains("\t")
                  ? stripped.split("\t")
                  : BLANKS.split(stripped);
          if (cells.length < columns) {
            throw new IllegalArgumentException(
                CollectionFiles.where(file, lineNumber)
                    + ": expected '"
                    + shape
                    + "', got '"
                    + stripped
                    + "'");
          }
          if (qrels.isEmpty() && cells[0].strip().equalsIgnoreCase(header)) {
            return;
          }
          String queryId = queryIds.id(cells[0].strip(), file, lineNumber);
          String documentId = documentIds.id(cells[documentColumn].strip(), file, lineNumber);
          int grade =
              gradeColumn == NO_GRADE
                  ? LISTED_GRADE
                  : CollectionFiles.integer(cells[gradeColumn].strip(), file, lineNumber);
          qrels.computeIfAbsent(queryId, id -> new LinkedHashMap<>()).put(documentId, grade);
        });
    return qrels;
  }
}
