package dev.companionbrain.core.relevance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestCollectionsTest {
  private static final String SMART_DOCUMENTS =
      """
      .I 1
      .T
      experimental investigation of the
        aerodynamics of a wing .
      .A
      brenckman,m.
      .B
      j. ae. scs. 25, 1958, 324.
      .W
      experimental investigation .
        an experimental study of a wing
      in a slipstream .
      .I 2
      .T
      simple shear flow .
      .A
      .B
      .W
      shear text .
      .A
      stray author marker .
      .W
      second body part .
      .I 3
      .T
      .A
      .B
      .W
      """;

  /** Cranfield-style numbering with gaps, CRLF line ends. */
  private static final String SMART_QUERIES =
      String.join(
          "\r\n",
          ".I 001",
          ".W",
          "what similarity laws must be obeyed",
          "when constructing aeroelastic models .",
          ".I 004",
          ".W",
          "what problems of heat conduction .",
          ".I 009",
          ".W",
          "chemical kinetic system .",
          "");

  /** Queries by position 1..3; "02" has a leading zero; -1 = no interest. */
  private static final String SMART_QRELS =
      """
      1 2 2
      1 1 -1
      2 3 1
      3 02 -1
      """;

  @TempDir Path tempDir;

  @Test
  void readsTheSmartLayout() throws IOException {
    Path dir = smartDir("cranfield");

    TestCollection collection = TestCollections.read(dir);

    assertThat(collection.name()).isEqualTo("cranfield");
    assertThat(collection.documents())
        .containsExactly(
            new CollectionDocument(
                "cran-1",
                "experimental investigation of the aerodynamics of a wing .",
                "experimental investigation . an experimental study of a wing in a slipstream ."),
            new CollectionDocument(
                "cran-2", "simple shear flow .", "shear text . stray author marker . second body part ."),
            new CollectionDocument("cran-3", "", ""));
  }

  @Test
  void numbersSmartQueriesByPositionNotByTheirDotINumber() throws IOException {
    TestCollection collection = TestCollections.read(smartDir("cranfield"));

    assertThat(collection.queries())
        .containsExactly(
            new CollectionQuery(
                "1", "what similarity laws must be obeyed when constructing aeroelastic models ."),
            new CollectionQuery("2", "what problems of heat conduction ."),
            new CollectionQuery("3", "chemical kinetic system ."));
  }

  @Test
  void mapsSmartQrelsAndExcludesGradeMinusOneFromRelevant() throws IOException {
    TestCollection collection = TestCollections.read(smartDir("cranfield"));

    assertThat(collection.qrels())
        .isEqualTo(
            Map.of(
                "1", Map.of("cran-2", 2, "cran-1", -1),
                "2", Map.of("cran-3", 1),
                "3", Map.of("cran-2", -1)));
    assertThat(collection.relevant("1")).containsExactly("cran-2");
    assertThat(collection.relevant("2")).containsExactly("cran-3");
    assertThat(collection.relevant("3")).isEmpty();
    assertThat(collection.relevant("4")).isEmpty();
    assertThat(collection.judgedQueries()).extracting(CollectionQuery::id).containsExactly("1", "2");
  }

  @Test
  void smartFileNamesAreMatchedIgnoringCaseAndGiveTheIdPrefix() throws IOException {
    Path dir = Files.createDirectory(tempDir.resolve("med"));
    Files.writeString(dir.resolve("MED.ALL"), ".I 7\n.W\n  body   of seven\n");
    Files.writeString(dir.resolve("MED.QRY"), ".I 1\n.W\nseven\n");
    Files.writeString(dir.resolve("MED.QRELS"), "1 7 1\n");

    TestCollection collection = TestCollections.read(dir);

    assertThat(collection.documents())
        .containsExactly(new CollectionDocument("med-7", "", "body of seven"));
    assertThat(collection.relevant("1")).containsExactly("med-7");
  }

  @Test
  void aReadmeIsNotTakenForTheQrels() throws IOException {
    Path dir = Files.createDirectory(tempDir.resolve("noqrels"));
    Files.writeString(dir.resolve("cran.all.1400"), SMART_DOCUMENTS);
    Files.writeString(dir.resolve("cran.qry"), SMART_QUERIES);
    Files.writeString(dir.resolve("cranqrel.readme"), "1 1 1\n");

    Throwable thrown = catchThrowable(() -> TestCollections.read(dir));

    assertThat(thrown)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("relevance file (*qrel*")
        .hasMessageNotContaining("documents file")
        .hasMessageNotContaining("queries file");
  }

  @Test
  void anEmptyFolderNamesWhatEachLayoutMisses() {
    Throwable thrown = catchThrowable(() -> TestCollections.read(tempDir));

    assertThat(thrown)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("documents file (*.all")
        .hasMessageContaining("queries file (*.qry)")
        .hasMessageContaining("relevance file (*qrel*")
        .hasMessageContaining("corpus.jsonl")
        .hasMessageContaining("queries.jsonl")
        .hasMessageContaining("qrels/test.tsv");
  }

  @Test
  void aPartialBeirLayoutNamesOnlyTheMissingFiles() throws IOException {
    Files.writeString(tempDir.resolve("corpus.jsonl"), "{\"_id\":\"a\",\"text\":\"x\"}\n");
    Files.writeString(tempDir.resolve("queries.jsonl"), "{\"_id\":\"q\",\"text\":\"x\"}\n");

    Throwable thrown = catchThrowable(() -> TestCollections.read(tempDir));

    assertThat(thrown)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("beir lacks qrels/test.tsv")
        .hasMessageNotContaining("beir lacks corpus.jsonl");
  }

  @Test
  void severalCandidatesForOneSmartFileAreRejected() throws IOException {
    Path dir = smartDir("twice");
    Files.writeString(dir.resolve("other.qry"), SMART_QUERIES);

    assertThatThrownBy(() -> TestCollections.read(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cran.qry")
        .hasMessageContaining("other.qry");
  }

  @Test
  void aFileIsNotAFolder() throws IOException {
    Path file = Files.writeString(tempDir.resolve("cran.all.1400"), SMART_DOCUMENTS);

    assertThatThrownBy(() -> TestCollections.read(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a folder");
  }

  @Test
  void malformedSmartLinesNameFileAndLine() throws IOException {
    Path badQrels = smartDir("badqrels");
    Files.writeString(badQrels.resolve("cranqrel"), "1 2 2\n1 two 2\n");
    assertThatThrownBy(() -> TestCollections.read(badQrels))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cranqrel:2")
        .hasMessageContaining("'two'");

    Path strayText = smartDir("straytext");
    Files.writeString(strayText.resolve("cran.all.1400"), "some text\n.I 1\n.W\nbody\n");
    assertThatThrownBy(() -> TestCollections.read(strayText))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cran.all.1400:1");
  }

  @Test
  void readsTheBeirLayoutAndMapsDocumentIdsConsistently() throws IOException {
    Path dir = Files.createDirectory(tempDir.resolve("scifact-mini"));
    Files.writeString(
        dir.resolve("corpus.jsonl"),
        String.join(
            "\n",
            "{\"_id\": \"doc.1\", \"title\": \"  Hello\\n  World \", \"text\": \"Body  text\\there\"}",
            "",
            "{\"_id\": \"d2\", \"text\": \"no title\"}",
            "{\"_id\": 3, \"title\": null, \"text\": \"numeric id\", \"metadata\": {}}",
            ""));
    Files.writeString(
        dir.resolve("queries.jsonl"),
        String.join(
            "\n",
            "{\"_id\": \"q1\", \"text\": \"what  is\\nhello\"}",
            "{\"_id\": \"q2\", \"text\": \"unjudged\"}",
            "{\"_id\": \"q3\", \"text\": \"only zero\"}",
            ""));
    Files.createDirectory(dir.resolve("qrels"));
    Files.writeString(
        dir.resolve("qrels/test.tsv"),
        "query-id\tcorpus-id\tscore\nq1\tdoc.1\t1\nq1\td2\t0\nq3\td2\t0\nq1\t3\t2\n");

    TestCollection collection = TestCollections.read(dir);

    assertThat(collection.name()).isEqualTo("scifact-mini");
    assertThat(collection.documents())
        .containsExactly(
            new CollectionDocument("doc_1", "Hello World", "Body text here"),
            new CollectionDocument("d2", "", "no title"),
            new CollectionDocument("3", "", "numeric id"));
    assertThat(collection.queries())
        .containsExactly(
            new CollectionQuery("q1", "what is hello"),
            new CollectionQuery("q2", "unjudged"),
            new CollectionQuery("q3", "only zero"));
    assertThat(collection.qrels())
        .isEqualTo(Map.of("q1", Map.of("doc_1", 1, "d2", 0, "3", 2), "q3", Map.of("d2", 0)));
    assertThat(collection.relevant("q1")).containsExactly("doc_1", "3");
    assertThat(collection.relevant("q3")).isEmpty();
    assertThat(collection.judgedQueries()).extracting(CollectionQuery::id).containsExactly("q1");
  }

  @Test
  void beirQrelsWithoutHeaderAreRead() throws IOException {
    Path dir = beirDir("noheader", "{\"_id\": \"a\", \"text\": \"x\"}\n", "q\ta\t1\n");

    assertThat(TestCollections.read(dir).relevant("q")).containsExactly("a");
  }

  @Test
  void beirIdsThatCollideAfterMappingAreRejected() throws IOException {
    Path dir =
        beirDir(
            "collide",
            "{\"_id\": \"a.b\", \"text\": \"x\"}\n{\"_id\": \"a_b\", \"text\": \"y\"}\n",
            "query-id\tcorpus-id\tscore\n");

    assertThatThrownBy(() -> TestCollections.read(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a.b'")
        .hasMessageContaining("'a_b'")
        .hasMessageContaining("corpus.jsonl:2");
  }

  @Test
  void malformedBeirJsonNamesFileAndLine() throws IOException {
    Path dir = beirDir("badjson", "{\"_id\": \"a\", \"text\": \"x\"}\n{not json\n", "q\ta\t1\n");

    assertThatThrownBy(() -> TestCollections.read(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("corpus.jsonl:2");

    Path noId = beirDir("noid", "{\"text\": \"x\"}\n", "q\ta\t1\n");
    assertThatThrownBy(() -> TestCollections.read(noId))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("corpus.jsonl:1")
        .hasMessageContaining("'_id'");
  }

  @Test
  void testCollectionRejectsDuplicateIdsAndIsUnmodifiable() {
    CollectionDocument document = new CollectionDocument("a", "", "x");
    assertThatThrownBy(() -> new TestCollection("c", List.of(document, document), List.of(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a'");

    TestCollection collection =
        new TestCollection(
            "c",
            List.of(document),
            List.of(new CollectionQuery("q", "x")),
            Map.of("q", Map.of("a", 1)));
    assertThatThrownBy(() -> collection.qrels().get("q").put("b", 1))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> collection.relevant("q").add("b"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void collectionDocumentEnforcesTheProductIdRule() {
    assertThatThrownBy(() -> new CollectionDocument("a b", "", ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CollectionDocument("", "", ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new CollectionDocument("cran-1_x", "", "").id()).isEqualTo("cran-1_x");
  }

  /**
   * Reads the real Cranfield collection when the environment variable {@code CRANFIELD_DIR} names
   * its folder (cran.all.1400, cran.qry, cranqrel); skipped otherwise.
   */
  @Test
  void readsTheRealCranfieldCollectionWhenAvailable() {
    String location = System.getenv("CRANFIELD_DIR");
    Assumptions.assumeTrue(
        location != null && Files.isDirectory(Path.of(location)), "CRANFIELD_DIR not set");

    TestCollection cranfield = TestCollections.read(Path.of(location));

    assertThat(cranfield.documents()).hasSize(1400);
    assertThat(cranfield.documents().get(0).id()).isEqualTo("cran-1");
    assertThat(cranfield.documents().get(1399).id()).isEqualTo("cran-1400");
    assertThat(cranfield.queries()).hasSize(225);
    assertThat(cranfield.queries().get(224).id()).isEqualTo("225");
    assertThat(cranfield.queries().get(0).text()).startsWith("what similarity laws must be obeyed");
    assertThat(cranfield.judgedQueries()).hasSize(225);
    assertThat(cranfield.qrels().values().stream().mapToInt(Map::size).sum()).isEqualTo(1837);
    assertThat(cranfield.queries().stream().mapToInt(q -> cranfield.relevant(q.id()).size()).sum())
        .isEqualTo(1837 - 225);
    assertThat(cranfield.relevant("1")).contains("cran-184").doesNotContain("cran-486");
    CollectionDocument document240 = cranfield.documents().get(239);
    assertThat(document240.body())
        .contains("application to turbulent separations")
        .doesNotContain(".A");
  }

  private Path smartDir(String name) throws IOException {
    Path dir = Files.createDirectory(tempDir.resolve(name));
    Files.writeString(dir.resolve("cran.all.1400"), SMART_DOCUMENTS);
    Files.writeString(dir.resolve("cran.qry"), SMART_QUERIES);
    Files.writeString(dir.resolve("cranqrel"), SMART_QRELS);
    Files.writeString(dir.resolve("cranqrel.readme"), "1 1 1\n");
    Files.writeString(dir.resolve("PROVENANCE.txt"), "test data\n");
    return dir;
  }

  private Path beirDir(String name, String corpus, String qrels) throws IOException {
    Path dir = Files.createDirectory(tempDir.resolve(name));
    Files.writeString(dir.resolve("corpus.jsonl"), corpus);
    Files.writeString(dir.resolve("queries.jsonl"), "{\"_id\": \"q\", \"text\": \"x\"}\n");
    Files.createDirectory(dir.resolve("qrels"));
    Files.writeString(dir.resolve("qrels/test.tsv"), qrels);
    return dir;
  }
}
