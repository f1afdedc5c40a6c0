package dev.companionbrain.core.relevance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a {@link TestCollection} from a folder in one of two layouts.
 *
 * <p><b>BEIR</b> (checked first): {@code corpus.jsonl} (one JSON object a line: {@code _id},
 * optional {@code title}, {@code text}), {@code queries.jsonl} ({@code _id}, {@code text}) and
 * {@code qrels/test.tsv} (tab-separated {@code query-id corpus-id score} under that header; score
 * 0 = not relevant). Document ids in the corpus and in the qrels have every character outside
 * {@code [A-Za-z0-9_-]} replaced with {@code '_'} (so {@code "doc.1/a"} becomes {@code
 * "doc_1_a"}), to satisfy the product's id rule; two corpus ids that become the same id are an
 * error. Query ids are kept as written.
 *
 * <p><b>SMART</b> (Cranfield and its kin), three files in the folder itself, file names compared
 * case-insensitively: the documents ({@code *.all} or {@code *.all.*}, e.g. {@code
 * cran.all.1400}), the queries ({@code *.qry}) and the judgements ({@code *qrel*}, ignoring names
 * containing {@code readme}). Records start with {@code .I <number>}; fields {@code .T} title,
 * {@code .A} author, {@code .B} bibliography, {@code .W} text run to the next marker. A document
 * becomes {@code <prefix><number>}, title = {@code .T}, body = {@code .W} (which in Cranfield
 * repeats the title), both whitespace-normalised; {@code .A} and {@code .B} are dropped. The prefix
 * is the documents file name up to its first dot plus a hyphen: {@code cran-1} .. {@code
 * cran-1400} for Cranfield. A query's id is its 1-based <em>position</em> in the queries file,
 * not its {@code .I} number: Cranfield's {@code cran.qry} numbers its 225 queries 001..365 with
 * gaps, while {@code cranqrel} numbers them 1..225 in file order (the same thing wherever the
 * {@code .I} numbers run 1..n). Judgement lines are {@code queryNo docNo grade}; numbers may carry
 * leading zeros. See {@link TestCollection} for how grades map to relevance.
 *
 * <p>Text is trimmed and its whitespace runs joined to single spaces.
 */
public final class TestCollections {
  private static final Pattern SMART_DOCUMENTS = Pattern.compile(".+\\.all(\\..*)?");
  private static final String SMART_DOCUMENTS_HINT =
      "documents file (*.all or *.all.*, e.g. cran.all.1400)";
  private static final String SMART_QUERIES_HINT = "queries file (*.qry)";
  private static final String SMART_QRELS_HINT = "relevance file (*qrel*, not a readme)";

  private TestCollections() {}

  /**
   * Reads the collection in {@code dir}, named after the folder.
   *
   * @throws IllegalArgumentException if {@code dir} is not a folder, holds neither layout
   *     completely (the message names what is missing for each), holds several candidate files for
   *     one SMART role, or a file is malformed (the message names file and line)
   * @throws UncheckedIOException if a file cannot be read
   */
  public static TestCollection read(Path dir) {
    Objects.requireNonNull(dir, "dir");
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("not a folder: " + dir);
    }
    String name = name(dir);

    List<String> beirMissing = new ArrayList<>();
    for (String file :
        List.of(BeirCollectionReader.CORPUS, BeirCollectionReader.QUERIES, BeirCollectionReader.QRELS)) {
      if (!Files.isRegularFile(dir.resolve(file))) {
        beirMissing.add(file);
      }
    }
    if (beirMissing.isEmpty()) {
      return BeirCollectionReader.read(name, dir);
    }

    List<Path> files = regularFiles(dir);
    List<Path> documents = matching(files, fileName -> SMART_DOCUMENTS.matcher(fileName).matches());
    List<Path> queries = matching(files, fileName -> fileName.endsWith(".qry"));
    List<Path> qrels =
        matching(files, fileName -> fileName.contains("qrel") && !fileName.contains("readme"));
    requireAtMostOne(dir, documents, SMART_DOCUMENTS_HINT);
    requireAtMostOne(dir, queries, SMART_QUERIES_HINT);
    requireAtMostOne(dir, qrels, SMART_QRELS_HINT);
    if (documents.size() == 1 && queries.size() == 1 && qrels.size() == 1) {
      return SmartCollectionReader.read(name, documents.get(0), queries.get(0), qrels.get(0));
    }

    List<String> smartMissing = new ArrayList<>();
    if (documents.isEmpty()) {
      smartMissing.add(SMART_DOCUMENTS_HINT);
    }
    if (queries.isEmpty()) {
      smartMissing.add(SMART_QUERIES_HINT);
    }
    if (qrels.isEmpty()) {
      smartMissing.add(SMART_QRELS_HINT);
    }
    throw new IllegalArgumentException(
        "no test collection in " + dir + ": the SMART layout lacks a "
            + String.join(", a ", smartMissing) + "; the BEIR layout lacks "
            + String.join(", ", beirMissing));
  }

  private static String name(Path dir) {
    Path fileName = dir.toAbsolutePath().normalize().getFileName();
    return fileName == null ? dir.toString() : fileName.toString();
  }

  private static List<Path> regularFiles(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .filter(Files::isRegularFile)
          .sorted(Comparator.comparing((Path path) -> path.getFileName().toString()))
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static List<Path> matching(List<Path> files, Predicate<String> lowerCaseName) {
    return files.stream()
        .filter(path -> lowerCaseName.test(path.getFileName().toString().toLowerCase(Locale.ROOT)))
        .collect(Collectors.toList());
  }

  private static void requireAtMostOne(Path dir, List<Path> candidates, String role) {
    if (candidates.size() > 1) {
      String names =
          candidates.stream()
              .map(path -> path.getFileName().toString())
              .collect(Collectors.joining(", "));
      throw new IllegalArgumentException(
          "several candidates for the SMART " + role + " in " + dir + ": " + names);
    }
  }
}
