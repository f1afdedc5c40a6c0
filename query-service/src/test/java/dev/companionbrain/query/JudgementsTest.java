package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.companionbrain.core.search.BadRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compare view's judgements: read with brain eval's readers, scored with its nDCG. */
class JudgementsTest {
  /** A BEIR folder: 3 documents, 2 queries, one of them without a relevant document. */
  static Path beir(Path dir) throws Exception {
    Files.writeString(dir.resolve("corpus.jsonl"), """
        {"_id":"a","title":"A","text":"alpha"}
        {"_id":"b","title":"B","text":"beta"}
        {"_id":"c","title":"C","text":"gamma"}
        """);
    Files.writeString(dir.resolve("queries.jsonl"), """
        {"_id":"q1","text":"alpha beta"}
        {"_id":"q2","text":"nothing"}
        """);
    Files.createDirectories(dir.resolve("qrels"));
    Files.writeString(dir.resolve("qrels/test.tsv"), "query-id\tcorpus-id\tscore\nq1\ta\t1\nq1\tb\t2\nq2\tc\t0\n");
    return dir;
  }

  @Test
  void theListingHoldsTheJudgedQueriesWithTheirRelevantDocuments(@TempDir Path dir) throws Exception {
    Judgements judgements = Judgements.read(beir(dir));
    Map<String, Object> listing = judgements.listing();
    assertThat(listing.get("collection")).isEqualTo(dir.getFileName().toString());
    assertThat(listing.get("depth")).isEqualTo(10);
    assertThat(listing.get("queries")).isEqualTo(List.of(new Judgements.JudgedQuery("q1", "alpha beta", List.of("a", "b"))));
  }

  @Test
  void theScoreIsTheNdcgAtTenOfTheRankingAndNamesItsRelevantHits() {
    Judgements judgements = new Judgements("c", List.of(new Judgements.JudgedQuery("q1", "alpha", List.of("a", "b"))));
    Map<String, Object> perfect = judgements.score("q1", "a, b,x");
    assertThat(perfect.get("ndcg_at_10")).isEqualTo(1.0);
    assertThat(perfect.get("relevant")).isEqualTo(List.of("a", "b"));
    assertThat(perfect.get("judged_relevant")).isEqualTo(2);
    assertThat(perfect.get("query_id")).isEqualTo("q1");
    Map<String, Object> second = judgements.score("q1", "x,a,,y");
    // DCG 1/log2(3), IDCG 1 + 1/log2(3)
    double third = 1 / (Math.log(3) / Math.log(2));
    assertThat((double) second.get("ndcg_at_10")).isCloseTo(third / (1 + third), org.assertj.core.api.Assertions.within(1e-9));
    assertThat(second.get("relevant")).isEqualTo(List.of("a"));
    assertThat(judgements.score("q1", "x,y").get("ndcg_at_10")).isEqualTo(0.0);
    assertThat(judgements.score("q1", " ,a,b").get("ndcg_at_10")).as("an empty id takes no rank").isEqualTo(1.0);
  }

  @Test
  void anUnknownQueryOrAMissingRankingIsABadRequest() {
    Judgements judgements = new Judgements("cran", List.of(new Judgements.JudgedQuery("q1", "alpha", List.of("a"))));
    assertThatThrownBy(() -> judgements.score("q9", "a")).isInstanceOf(BadRequestException.class)
        .hasMessage("no judged query 'q9' in cran")
        .satisfies(e -> assertThat(((BadRequestException) e).code()).isEqualTo("unknown_query_id"));
    assertThatThrownBy(() -> judgements.score(null, "a")).isInstanceOf(BadRequestException.class);
    for (String ids : new String[] {null, "", "  "}) {
      assertThatThrownBy(() -> judgements.score("q1", ids)).isInstanceOf(BadRequestException.class)
          .satisfies(e -> assertThat(((BadRequestException) e).code()).isEqualTo("invalid_ids"));
    }
  }

  @Test
  void aFolderWithoutACollectionIsRefusedNamingTheSetting(@TempDir Path dir) {
    assertThatThrownBy(() -> Judgements.read(dir)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("BRAIN_JUDGEMENTS: ");
    assertThatThrownBy(() -> Judgements.read(dir.resolve("absent"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("BRAIN_JUDGEMENTS: not a folder");
  }
}
