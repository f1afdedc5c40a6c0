package dev.companionbrain.core.relevance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collections as distributed: CISI, MED, CACM, TREC qrels (with BEIR or SMART documents and
 * BEIR or TREC topics); their detection, {@code --format} forcing and the errors.
 */
class CollectionFormatsTest {
  /** CISI.ALL: .T, .A, .W and .X (cross-references), the last two documents without .A. */
  private static final String CISI_ALL =
      """
      .I 1
      .T
      18 Editions of the Dewey Decimal Classifications
      .A
      Comaromi, J.P.
      .W
         The present study is a history of the DEWEY Decimal
      Classification.
      .X
      1	5	1
      92	1	1
      .I 2
      .T
      Use Made of Technical Libraries
      .W
      This report is an analysis of 6300 acts of use.
      .X
      2	5	2
      .I 3
      .T
      Two Kinds of Power
      .W
      The relationships between the organization and control of writing.
      """;

  /** CISI.QRY: .I numbers with a gap (1, 3), the second query with .T, .A and .B too. */
  private static final String CISI_QRY =
      """
      .I 1
      .W
      What problems and concerns are there in making up descriptive titles?
      .I 3
      .T
      Writing and Power
      .A
      Someone, A.
      .W
      control of writing
      .B
      1979
      """;

  /** CISI.REL: blanks then tabs; the last two columns carry no grade. */
  private static final String CISI_REL =
      "     1     2\t0\t0.000000\n     3     3\t0\t0.000000\n     3     1\t0\t0.000000\n";

  @TempDir Path tempDir;

  @Test
  void readsCisiAsDistributed() throws IOException {
    Path dir = write("cisi", "CISI.ALL", CISI_ALL, "CISI.QRY", CISI_QRY, "CISI.REL", CISI_REL);

    TestCollection collection =
        assertRead(
            dir,
            List.of(
                new CollectionDocument(
                    "cisi-1",
                    "18 Editions of the Dewey Decimal Classifications",
                    "The present study is a history of the DEWEY Decimal Classification."),
                new CollectionDocument(
                    "cisi-2",
                    "Use Made of Technical Libraries",
                    "This report is an analysis of 6300 acts of use."),
                new CollectionDocument(
                    "cisi-3",
                    "Two Kinds of Power",
                    "The relationships between the organization and control of writing.")),
            List.of(
                new CollectionQuery(
                    "1", "What problems and concerns are there in making up descriptive titles?"),
                new CollectionQuery("3", "Writing and Power control of writing")),
            Map.of("1", Map.of("cisi-2", 1), "3", Map.of("cisi-3", 1, "cisi-1", 1)));
    assertThat(collection.name()).isEqualTo("cisi");
    assertThat(collection.relevant("3")).containsExactly("cisi-3", "cisi-1");
    assertThat(collection.judgedQueries())
        .extracting(CollectionQuery::id)
        .containsExactly("1", "3");
  }

  @Test
  void readsMedAsDistributed() throws IOException {
    Path dir =
        write(
            "med",
            "MED.ALL",
            ".I 1\n"
                + ".W\n"
                + "correlation between maternal and fetal plasma levels\n"
                + ".I 2\n"
                + ".W\n"
                + "the crystalline lens\n"
                + ".I 3\n"
                + ".W\n"
                + "electron microscopy of lung\n",
            "MED.QRY",
            ".I 1\n.W\n the crystalline lens in vertebrates\n.I 02\n.W\nlung tissue\n",
            "MED.REL",
            "1 0 2 1\n1 0 1 1\n2 0 3 1\n");

    TestCollection collection =
        assertRead(
            dir,
            List.of(
                new CollectionDocument(
                    "med-1", "", "correlation between maternal and fetal plasma levels"),
                new CollectionDocument("med-2", "", "the crystalline lens"),
                new CollectionDocument("med-3", "", "electron microscopy of lung")),
            List.of(
                new CollectionQuery("1", "the crystalline lens in vertebrates"),
                new CollectionQuery("2", "lung tissue")),
            Map.of("1", Map.of("med-2", 1, "med-1", 1), "2", Map.of("med-3", 1)));
    assertThat(collection.relevant("1")).containsExactly("med-2", "med-1");
  }

  @Test
  void readsCacmAsDistributedIncludingTitleOnlyDocuments() throws IOException {
    Path dir =
        write(
            "cacm",
            "cacm.all",
            """
            .I 1
            .T
            Preliminary Report-International Algebraic Language
            .B
            CACM December, 1958
            .A
            Perlis, A. J.
            .N
            CA581203 JB March 22, 1978  8:28 PM
            .X
            100	5	1
            .I 2
            .T
            Extraction of Roots by Repeated Subtractions
            .W
            An algorithm for roots
            by subtraction.
            .B
            CACM November, 1958
            .I 3
            .T
            Techniques Department on Matrix Program Schemes
            .N
            CA581101 JB March 22, 1978  9:02 PM
            """,
            "query.text",
            """
            .I 1
            .W
             What articles exist which deal with TSS (Time Sharing System)?
            .N
             1. Richard Alexander, Comp Serv, Langmuir Lab (TSS)
            .I 2
            .W
             roots by subtraction
            .A
            Someone
            """,
            "qrels.text",
            "01 3  0 0\n01 1  0 0\n02 2  0 0\n");

    TestCollection collection =
        assertRead(
            dir,
            List.of(
                new CollectionDocument(
                    "cacm-1", "Preliminary Report-International Algebraic Language", ""),
                new CollectionDocument(
                    "cacm-2",
                    "Extraction of Roots by Repeated Subtractions",
                    "An algorithm for roots by subtraction."),
                new CollectionDocument(
                    "cacm-3", "Techniques Department on Matrix Program Schemes", "")),
            List.of(
                new CollectionQuery(
                    "1", "What articles exist which deal with TSS (Time Sharing System)?"),
                new CollectionQuery("2", "roots by subtraction")),
            Map.of("1", Map.of("cacm-3", 1, "cacm-1", 1), "2", Map.of("cacm-2", 1)));
  }

  @Test
  void readsTrecQrelsWithABeirCorpusAndATrecTopicsFile() throws IOException {
    Path dir =
        write(
            "robust-mini",
            "corpus.jsonl",
            "{\"_id\": \"FBIS3-1\", \"title\": \"Minorities\", \"text\": \"German  minorities\"}\n"
                + "{\"_id\": \"FT911-2\", \"text\": \"wind power\"}\n"
                + "{\"_id\": \"LA.3\", \"text\": \"unjudged\"}\n",
            "topics.401-402",
            """
            <top>

            <num> Number: 401
            <title> foreign minorities, Germany

            <desc> Description:
            What language and cultural differences impede the integration
            of foreign minorities in Germany?

            <narr> Narrative:
            A relevant document will focus on the causes.
            </top>

            <top>
            <num> Number: 402
            <title> Topic: wind
              power
            <desc> Description:
            Electricity from wind.
            </top>
            """,
            "qrels.401-402.txt",
            "401 0 FBIS3-1 1\n401 0 FT911-2 0\n402 0 FT911-2 2\n402 0 LA.3 0\n");

    TestCollection collection =
        assertRead(
            dir,
            List.of(
                new CollectionDocument("FBIS3-1", "Minorities", "German minorities"),
                new CollectionDocument("FT911-2", "", "wind power"),
                new CollectionDocument("LA_3", "", "unjudged")),
            List.of(
                new CollectionQuery("401", "foreign minorities, Germany"),
                new CollectionQuery("402", "wind power")),
            Map.of(
                "401", Map.of("FBIS3-1", 1, "FT911-2", 0), "402", Map.of("FT911-2", 2, "LA_3", 0)));
    assertThat(collection.relevant("401")).containsExactly("FBIS3-1");
    assertThat(collection.relevant("402")).containsExactly("FT911-2");
  }

  @Test
  void readsTrecQrelsWithSmartDocumentsAndBeirQueries() throws IOException {
    Path dir =
        write(
            "trec-smart",
            "docs.all",
            ".I 1\n.T\none\n.W\nfirst\n.I 2\n.W\nsecond\n.I 3\n.W\nthird\n",
            "queries.jsonl",
            "{\"_id\": \"q-1\", \"text\": \"first  query\"}\n"
                + "{\"_id\": \"q-2\", \"text\": \"second\"}\n",
            "run.qrels",
            "q-1 0 1 3\nq-1 0 2 -1\nq-2 Q0 03 1\n");

    TestCollection collection =
        assertRead(
            dir,
            List.of(
                new CollectionDocument("docs-1", "one", "first"),
                new CollectionDocument("docs-2", "", "second"),
                new CollectionDocument("docs-3", "", "third")),
            List.of(
                new CollectionQuery("q-1", "first query"), new CollectionQuery("q-2", "second")),
            Map.of("q-1", Map.of("docs-1", 3, "docs-2", -1), "q-2", Map.of("docs-3", 1)));
    assertThat(collection.relevant("q-1")).containsExactly("docs-1");
  }

  @Test
  void beirQrelsSplitOnTabsKeepBlanksInsideIds() throws IOException {
    Path dir =
        write(
            "beir-blank",
            "corpus.jsonl",
            "{\"_id\": \"a b\", \"text\": \"x\"}\n",
            "queries.jsonl",
            "{\"_id\": \"q\", \"text\": \"x\"}\n",
            "qrels/test.tsv",
            "query-id\tcorpus-id\tscore\nq\ta b\t1\n");

    assertThat(TestCollections.read(dir).qrels()).isEqualTo(Map.of("q", Map.of("a_b", 1)));
  }

  @Test
  void aFolderMatchingTwoFormatsIsRefusedUnlessOneIsForced() throws IOException {
    Path dir =
        write(
            "both",
            "corpus.jsonl",
            "{\"_id\": \"a\", \"text\": \"x\"}\n{\"_id\": \"b\", \"text\": \"y\"}\n",
            "queries.jsonl",
            "{\"_id\": \"q\", \"text\": \"x\"}\n",
            "qrels/test.tsv",
            "q\ta\t1\n",
            "qrels.txt",
            "q 0 b 1\n");

    Throwable thrown = catchThrowable(() -> TestCollections.read(dir));

    assertThat(thrown)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("matches several collection formats: trec, beir")
        .hasMessageContaining("--format");
    assertThat(TestCollections.read(dir, CollectionFormat.BEIR).relevant("q")).containsExactly("a");
    assertThat(TestCollections.read(dir, CollectionFormat.TREC).relevant("q")).containsExactly("b");
  }

  @Test
  void aForcedFormatReadsThatFormatsRuleAndNamesWhatIsMissing() throws IOException {
    Path dir =
        write("cisi-forced", "CISI.ALL", CISI_ALL, "CISI.QRY", CISI_QRY, "CISI.REL", CISI_REL);

    assertThat(TestCollections.read(dir, CollectionFormat.CISI).relevant("1"))
        .containsExactly("cisi-2");
    assertThat(TestCollections.read(dir, null).relevant("1")).containsExactly("cisi-2");
    assertThatThrownBy(() -> TestCollections.read(dir, CollectionFormat.MED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a med collection: " + dir + " lacks MED.ALL, MED.QRY, MED.REL");
    assertThatThrownBy(() -> TestCollections.read(dir, CollectionFormat.CACM))
        .hasMessageContaining("lacks cacm.all, query.text, qrels.text");
  }

  @Test
  void aFolderMatchingNoFormatGetsOneLineNamingWhatEachNeeds() throws IOException {
    Path dir = write("nothing", "README.md", "no collection here\n");

    Throwable thrown = catchThrowable(() -> TestCollections.read(dir));

    assertThat(thrown).isInstanceOf(IllegalArgumentException.class);
    assertThat(thrown.getMessage())
        .doesNotContain("\n")
        .isEqualTo(
            "no test collection in "
                + dir
                + ": smart lacks a documents file (*.all or *.all.*, e.g. cran.all.1400), a queries"
                + " file (*.qry), a relevance file (*qrel*, not a readme); cisi lacks CISI.ALL,"
                + " CISI.QRY, CISI.REL; med lacks MED.ALL, MED.QRY, MED.REL; cacm lacks cacm.all,"
                + " query.text, qrels.text; trec lacks corpus.jsonl or a documents file (*.all or"
                + " *.all.*, e.g. cran.all.1400), queries.jsonl or topics*, qrels* or *.qrels (not"
                + " a readme); beir lacks corpus.jsonl, queries.jsonl, qrels/test.tsv");
  }

  @Test
  void aTrecReadmeIsNotTakenForTheQrels() throws IOException {
    Path dir =
        write(
            "trec-readme",
            "corpus.jsonl",
            "{\"_id\": \"a\", \"text\": \"x\"}\n",
            "topics.txt",
            "<top>\n<num> Number: 1\n<title> x\n</top>\n",
            "qrels.readme",
            "about the qrels\n");

    assertThatThrownBy(() -> TestCollections.read(dir))
        .hasMessageContaining("trec lacks qrels* or *.qrels (not a readme);");
  }

  @Test
  void malformedJudgementLinesNameFileAndLine() throws IOException {
    Path cisi =
        write("cisi-bad", "CISI.ALL", CISI_ALL, "CISI.QRY", CISI_QRY, "CISI.REL", "1 2 0 0\n\n3\n");
    assertThatThrownBy(() -> TestCollections.read(cisi))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(cisi.resolve("CISI.REL") + ":3: expected 'queryNo docNo ...', got '3'");

    Path med = oneDocumentMed("med-bad", "1 0 1 1\n1 0 one 1\n");
    assertThatThrownBy(() -> TestCollections.read(med))
        .hasMessage(med.resolve("MED.REL") + ":2: 'one' is not an integer");

    Path medShort = oneDocumentMed("med-short", "1 0\n");
    assertThatThrownBy(() -> TestCollections.read(medShort))
        .hasMessage(medShort.resolve("MED.REL") + ":1: expected 'queryNo 0 docNo ...', got '1 0'");

    Path trec =
        write(
            "trec-bad",
            "corpus.jsonl",
            "{\"_id\": \"a\", \"text\": \"x\"}\n",
            "queries.jsonl",
            "{\"_id\": \"q\", \"text\": \"x\"}\n",
            "qrels",
            "q 0 a 1\nq 0 a\n");
    assertThatThrownBy(() -> TestCollections.read(trec))
        .hasMessage(trec.resolve("qrels") + ":2: expected 'qid 0 docid grade', got 'q 0 a'");
    Files.writeString(trec.resolve("qrels"), "q 0 a high\n");
    assertThatThrownBy(() -> TestCollections.read(trec))
        .hasMessage(trec.resolve("qrels") + ":1: 'high' is not an integer");

    Path cacm =
        write(
            "cacm-bad",
            "cacm.all",
            ".I 1\n.W\nx\n",
            "query.text",
            ".I one\n.W\nx\n",
            "qrels.text",
            "1 1 0 0\n");
    assertThatThrownBy(() -> TestCollections.read(cacm))
        .hasMessage(cacm.resolve("query.text") + ":1: 'one' is not an integer");
  }

  @Test
  void malformedTopicsNameFileAndLine() throws IOException {
    Path dir =
        write(
            "topics-bad",
            "corpus.jsonl",
            "{\"_id\": \"a\", \"text\": \"x\"}\n",
            "topics",
            "<top>\n<title> no number\n</top>\n",
            "qrels",
            "1 0 a 1\n");
    assertThatThrownBy(() -> TestCollections.read(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(dir.resolve("topics") + ":3: topic without '<num> Number: ...'");

    Files.writeString(dir.resolve("topics"), "<top>\n<num> Number: 1\n</top>\n<title> stray\n");
    assertThatThrownBy(() -> TestCollections.read(dir))
        .hasMessage(dir.resolve("topics") + ":4: <title> outside <top> ... </top>");
  }

  @Test
  void topicsWithoutTheNumberLabelOrTitleAreRead() throws IOException {
    Path dir =
        write(
            "topics-plain",
            "corpus.jsonl",
            "{\"_id\": \"a\", \"text\": \"x\"}\n",
            "topics",
            "ignored preamble\n<TOP>\n<NUM> 051\n</TOP>\n",
            "qrels",
            "051 0 a 1\n");

    assertThat(TestCollections.read(dir).queries()).containsExactly(new CollectionQuery("051", ""));
    assertThat(TestCollections.read(dir).relevant("051")).containsExactly("a");
  }

  @Test
  void aByteOrderMarkIsDroppedAndADocumentsFileNamedFromADotGetsPrefixDoc() throws IOException {
    Path dir =
        write(
            "bom",
            ".x.all",
            "\uFEFF.I 1\n.W\nbody\n",
            "queries.jsonl",
            "{\"_id\": \"q\", \"text\": \"x\"}\n",
            "qrels",
            "\uFEFFq 0 1 1\n");

    assertThat(TestCollections.read(dir).documents())
        .containsExactly(new CollectionDocument("doc-1", "", "body"));
    assertThat(TestCollections.read(dir).relevant("q")).containsExactly("doc-1");
  }

  @Test
  void formatNamesParseIgnoringCase() {
    assertThat(CollectionFormat.parse("CISI")).isEqualTo(CollectionFormat.CISI);
    assertThat(CollectionFormat.parse(" trec ")).isEqualTo(CollectionFormat.TREC);
    assertThat(CollectionFormat.SMART.wireName()).isEqualTo("smart");
    assertThatThrownBy(() -> CollectionFormat.parse("lisa"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown collection format 'lisa': expected one of smart, cisi, med, cacm, trec, beir");
  }

  /** Reads {@code dir} (format detected) and checks what it holds; returns the collection. */
  private static TestCollection assertRead(
      Path dir,
      List<CollectionDocument> documents,
      List<CollectionQuery> queries,
      Map<String, Map<String, Integer>> qrels) {
    TestCollection collection = TestCollections.read(dir);
    assertThat(collection.documents()).isEqualTo(documents);
    assertThat(collection.queries()).isEqualTo(queries);
    assertThat(collection.qrels()).isEqualTo(qrels);
    return collection;
  }

  private Path oneDocumentMed(String dir, String rel) throws IOException {
    return write(dir, "MED.ALL", ".I 1\n.W\nx\n", "MED.QRY", ".I 1\n.W\nx\n", "MED.REL", rel);
  }

  /** Writes name/content pairs into a new folder {@code dir}; names may hold one sub-folder. */
  private Path write(String dir, String... namesAndContents) throws IOException {
    Path folder = Files.createDirectory(tempDir.resolve(dir));
    for (int i = 0; i < namesAndContents.length; i += 2) {
      Path file = folder.resolve(namesAndContents[i]);
      Files.createDirectories(file.getParent());
      Files.writeString(file, namesAndContents[i + 1]);
    }
    return folder;
  }
}
