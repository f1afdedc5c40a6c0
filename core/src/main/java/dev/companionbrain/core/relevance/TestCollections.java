package dev.companionbrain.core.relevance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a {@link TestCollection} from a folder in one of the layouts of {@link CollectionFormat},
 * detected from the file names (compared case-insensitively) or forced.
 *
 * <p>Every layout has three files: documents, queries and judgements. A folder that matches no
 * layout, or more than one, is an error whose one-line message names what each layout lacks, or
 * which layouts match. Relevance is binary: a judged document is relevant when its grade is {@code
 * >= }{@value TestCollection#MIN_RELEVANT_GRADE} (see {@link TestCollection}); the layouts whose
 * judgement lines carry no grade give every listed pair grade {@value JudgementLines#LISTED_GRADE}.
 *
 * <ul>
 *   <li><b>smart</b> (Cranfield's convention): documents {@code *.all} or {@code *.all.*} (e.g.
 *       {@code cran.all.1400}), queries {@code *.qry}, judgements {@code *qrel*} (names containing
 *       {@code readme} ignored). A query's id is its 1-based <em>position</em> in the queries file,
 *       not its {@code .I} number: {@code cran.qry} numbers its 225 queries 001..365 with gaps,
 *       while {@code cranqrel} numbers them 1..225 in file order. Judgement lines {@code queryNo
 *       docNo grade}; Cranfield's grades 1..4 are relevant, -1 is not.
 *   <li><b>cisi</b>: {@code CISI.ALL}, {@code CISI.QRY}, {@code CISI.REL}. Query ids are the
 *       {@code .I} numbers. Judgement lines {@code queryNo docNo x y} (e.g. {@code 1 28 0
 *       0.000000}): the last two columns carry no grade, every listed pair is relevant.
 *   <li><b>med</b>: {@code MED.ALL}, {@code MED.QRY}, {@code MED.REL}. Query ids are the {@code .I}
 *       numbers. Judgement lines {@code queryNo 0 docNo 1}: every listed pair is relevant.
 *   <li><b>cacm</b>: {@code cacm.all}, {@code query.text}, {@code qrels.text}. Query ids are the
 *       {@code .I} numbers. Judgement lines {@code queryNo docNo 0 0}: every listed pair is
 *       relevant. Many CACM documents have no {@code .W}: their body is empty, their title is all.
 *   <li><b>trec</b>: documents {@code corpus.jsonl} (BEIR's form) or {@code *.all} (SMART's),
 *       topics {@code queries.jsonl} (BEIR's form) or a TREC topics file {@code topics*} ({@code
 *       <top> <num> Number: 401 <title> ...}, the title is the query), judgements {@code qrels*} or
 *       {@code *.qrels} in the folder itself (not a readme). Judgement lines {@code qid 0 docid
 *       grade}: grade {@code > 0} is relevant, 0 (or below) is not. Query ids as written.
 *   <li><b>beir</b>: {@code corpus.jsonl} (one JSON object a line: {@code _id}, optional {@code
 *       title}, {@code text}), {@code queries.jsonl} ({@code _id}, {@code text}) and {@code
 *       qrels/test.tsv} (tab-separated {@code query-id corpus-id score}, header optional): score
 *       {@code >= 1} is relevant, 0 is not. Query ids as written.
 * </ul>
 *
 * <p><b>SMART files</b> (smart, cisi, med, cacm and trec's {@code *.all}): records start with
 * {@code .I <number>}; fields such as {@code .T} title, {@code .A} author, {@code .W} text run to
 * the next marker. A document becomes {@code <prefix><number>}, title = {@code .T}, body =
 * {@code .W}; every other field ({@code .A}, {@code .B}, {@code .N}, {@code .X}) is dropped. The
 * prefix is the documents file name up to its first dot, lower case, plus a hyphen: {@code cran-1}
 * .. {@code cran-1400}, {@code cisi-1}, {@code med-1}, {@code cacm-1}. A query's text is its
 * {@code .T} (if any) then its {@code .W}. Numbers may carry leading zeros.
 *
 * <p><b>JSON-lines documents</b> have every character outside {@code [A-Za-z0-9_-]} of their ids
 * replaced with {@code '_'} (so {@code "doc.1/a"} becomes {@code "doc_1_a"}), in the corpus and in
 * the judgements alike, to satisfy the product's id rule; two corpus ids that become the same id
 * are an error.
 *
 * <p>Text is trimmed and its whitespace runs joined to single spaces. A malformed line is an error
 * naming file and line.
 */
public final class TestCollections {
  /** One of a layout's three files: what it is called and which names qualify. */
  private record Role(String hint, Predicate<String> lowerCaseName) {}

  /**
   * A layout: its three files, how its SMART queries (if any) are numbered and how its judgement
   * lines read.
   */
  private record Layout(
      CollectionFormat format,
      List<Role> roles,
      SmartCollectionReader.QueryIds queryIds,
      JudgementLines judgementLines) {}

  private static final String BEIR_QRELS = "qrels/test.tsv";
  private static final Role SMART_DOCUMENTS =
      new Role(
          "a documents file (*.all or *.all.*, e.g. cran.all.1400)",
          name -> name.matches(".+\\.all(\\..*)?"));
  private static final Role CORPUS = exactly("corpus.jsonl");
  private static final Role QUERIES = exactly("queries.jsonl");

  private static final Map<CollectionFormat, Layout> LAYOUTS =
      new EnumMap<>(CollectionFormat.class);

  static {
    add(
        CollectionFormat.SMART,
        SmartCollectionReader.QueryIds.POSITION,
        JudgementLines.CRANFIELD,
        SMART_DOCUMENTS,
        new Role("a queries file (*.qry)", name -> name.endsWith(".qry")),
        new Role(
            "a relevance file (*qrel*, not a readme)",
            name -> name.contains("qrel") && !name.contains("readme") && !name.contains("/")));
    add(
        CollectionFormat.CISI,
        SmartCollectionReader.QueryIds.NUMBER,
        JudgementLines.LISTED,
        exactly("CISI.ALL"),
        exactly("CISI.QRY"),
        exactly("CISI.REL"));
    add(
        CollectionFormat.MED,
        SmartCollectionReader.QueryIds.NUMBER,
        JudgementLines.MED,
        exactly("MED.ALL"),
        exactly("MED.QRY"),
        exactly("MED.REL"));
    add(
        CollectionFormat.CACM,
        SmartCollectionReader.QueryIds.NUMBER,
        JudgementLines.LISTED,
        exactly("cacm.all"),
        exactly("query.text"),
        exactly("qrels.text"));
    add(
        CollectionFormat.TREC,
        null,
        JudgementLines.TREC,
        either(CORPUS, SMART_DOCUMENTS),
        either(QUERIES, new Role("topics*", name -> name.startsWith("topics"))),
        new Role(
            "qrels* or *.qrels (not a readme)",
            name ->
                (name.startsWith("qrels") || name.endsWith(".qrels"))
                    && !name.contains("readme")
                    && !name.contains("/")));
    add(CollectionFormat.BEIR, null, JudgementLines.BEIR, CORPUS, QUERIES, exactly(BEIR_QRELS));
  }

  private TestCollections() {}

  /**
   * Reads the collection in {@code dir}, named after the folder, in the one layout its files match.
   *
   * @throws IllegalArgumentException if {@code dir} is not a folder, matches no layout (the
   *     one-line message names what each layout lacks) or several (it names them and suggests
   *     {@code --format}), holds several candidate files for one role, or a file is malformed (the
   *     message names file and line)
   * @throws UncheckedIOException if a file cannot be read
   */
  public static TestCollection read(Path dir) {
    return read(dir, null);
  }

  /**
   * Reads the collection in {@code dir} in the given layout, or in the detected one when {@code
   * format} is null.
   *
   * @throws IllegalArgumentException as {@link #read(Path)}, and if the folder lacks a file the
   *     forced layout needs
   * @throws UncheckedIOException if a file cannot be read
   */
  public static TestCollection read(Path dir, CollectionFormat format) {
    Objects.requireNonNull(dir, "dir");
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("not a folder: " + dir);
    }
    List<String> files = files(dir);
    if (format != null) {
      Layout layout = LAYOUTS.get(format);
      List<String> missing = missing(layout, files);
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException(
            "not a "
                + format.wireName()
                + " collection: "
                + dir
                + " lacks "
                + String.join(", ", missing));
      }
      return read(dir, layout, files);
    }
    List<Layout> matching = new ArrayList<>();
    List<String> lacks = new ArrayList<>();
    for (Layout layout : LAYOUTS.values()) {
      List<String> missing = missing(layout, files);
      if (missing.isEmpty()) {
        matching.add(layout);
      } else {
        lacks.add(layout.format().wireName() + " lacks " + String.join(", ", missing));
      }
    }
    if (matching.size() > 1) {
      throw new IllegalArgumentException(
          dir
              + " matches several collection formats: "
              + matching.stream()
                  .map(layout -> layout.format().wireName())
                  .collect(Collectors.joining(", "))
              + "; choose one with --format");
    }
    if (matching.isEmpty()) {
      throw new IllegalArgumentException(
          "no test collection in " + dir + ": " + String.join("; ", lacks));
    }
    return read(dir, matching.get(0), files);
  }

  private static TestCollection read(Path dir, Layout layout, List<String> files) {
    Path documentsFile = dir.resolve(one(dir, layout, 0, files));
    Path queriesFile = dir.resolve(one(dir, layout, 1, files));
    Path judgementsFile = dir.resolve(one(dir, layout, 2, files));

    boolean jsonDocuments = isJsonLines(documentsFile);
    List<CollectionDocument> documents;
    JudgementLines.Ids documentIds;
    if (jsonDocuments) {
      documents = BeirCollectionReader.documents(documentsFile);
      documentIds = BeirCollectionReader.DOCUMENT_IDS;
    } else {
      String idPrefix = SmartCollectionReader.idPrefix(documentsFile);
      documents = SmartCollectionReader.documents(documentsFile, idPrefix);
      documentIds = SmartCollectionReader.documentIds(idPrefix);
    }

    List<CollectionQuery> queries;
    JudgementLines.Ids queryIds = JudgementLines.Ids.AS_WRITTEN;
    if (isJsonLines(queriesFile)) {
      queries = BeirCollectionReader.queries(queriesFile);
    } else if (layout.format() == CollectionFormat.TREC) {
      queries = TrecTopicsReader.queries(queriesFile);
    } else {
      queries = SmartCollectionReader.queries(queriesFile, layout.queryIds());
      queryIds = JudgementLines.Ids.NUMBER;
    }

    return new TestCollection(
        name(dir),
        documents,
        queries,
        layout.judgementLines().read(judgementsFile, queryIds, documentIds));
  }

  private static boolean isJsonLines(Path file) {
    return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl");
  }

  private static void add(
      CollectionFormat format,
      SmartCollectionReader.QueryIds queryIds,
      JudgementLines judgementLines,
      Role documents,
      Role queries,
      Role judgements) {
    LAYOUTS.put(
        format,
        new Layout(format, List.of(documents, queries, judgements), queryIds, judgementLines));
  }

  private static Role exactly(String fileName) {
    return new Role(fileName, fileName.toLowerCase(Locale.ROOT)::equals);
  }

  private static Role either(Role first, Role second) {
    return new Role(
        first.hint() + " or " + second.hint(),
        name -> first.lowerCaseName().test(name) || second.lowerCaseName().test(name));
  }

  private static List<String> missing(Layout layout, List<String> files) {
    return layout.roles().stream()
        .filter(role -> candidates(role, files).isEmpty())
        .map(Role::hint)
        .collect(Collectors.toList());
  }

  private static List<String> candidates(Role role, List<String> files) {
    return files.stream()
        .filter(file -> role.lowerCaseName().test(file.toLowerCase(Locale.ROOT)))
        .collect(Collectors.toList());
  }

  private static String one(Path dir, Layout layout, int role, List<String> files) {
    List<String> candidates = candidates(layout.roles().get(role), files);
    if (candidates.size() > 1) {
      throw new IllegalArgumentException(
          "several candidates for the "
              + layout.format().wireName()
              + " "
              + layout.roles().get(role).hint()
              + " in "
              + dir
              + ": "
              + String.join(", ", candidates));
    }
    return candidates.get(0);
  }

  private static String name(Path dir) {
    Path fileName = dir.toAbsolutePath().normalize().getFileName();
    return fileName == null ? dir.toString() : fileName.toString();
  }

  /**
   * The regular files of {@code dir} by name, sorted, and {@value #BEIR_QRELS} when it exists (the
   * one file a layout keeps in a sub-folder).
   */
  private static List<String> files(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      List<String> files =
          entries
              .filter(Files::isRegularFile)
              .map(path -> path.getFileName().toString())
              .sorted(Comparator.naturalOrder())
              .collect(Collectors.toCollection(ArrayList::new));
      if (Files.isRegularFile(dir.resolve(BEIR_QRELS))) {
        files.add(BEIR_QRELS);
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }
}
