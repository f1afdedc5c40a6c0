package dev.companionbrain.core.relevance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RelevanceEvaluationTest {
  private static RelevanceEvaluation twoModes() {
    RelevanceEvaluation evaluation = new RelevanceEvaluation();
    // vector first: modes() must keep insertion order, not sort
    evaluation.add("vector", "q1", List.of("x"), Set.of("a", "b"));
    // nDCG@10 = 1.5 / (1 + 1/log2(3)) = 0.91972..., recall@100 = 1, RR = 1
    evaluation.add("keyword", "q1", List.of("a", "x", "b"), Set.of("a", "b"));
    // nDCG@10 = (1/log2(4)) / 1 = 0.5, recall@100 = 1, RR = 1/3
    evaluation.add("keyword", "q2", List.of("x", "y", "a"), Set.of("a"));
    return evaluation;
  }

  @Test
  void scoresAreMeansOverTheQueriesOfAMode() {
    ModeScores keyword = twoModes().scores("keyword");

    assertThat(keyword.mode()).isEqualTo("keyword");
    assertThat(keyword.queries()).isEqualTo(2);
    // (0.9197207891481876 + 0.5) / 2
    assertThat(keyword.ndcg10()).isCloseTo(0.7098603945740938, within(1e-9));
    assertThat(keyword.recall100()).isCloseTo(1.0, within(1e-9));
    // (1 + 1/3) / 2
    assertThat(keyword.mrr10()).isCloseTo(0.6666666666666666, within(1e-9));

    ModeScores vector = twoModes().scores("vector");
    assertThat(vector).isEqualTo(new ModeScores("vector", 0.0, 0.0, 0.0, 1));
  }

  @Test
  void modesKeepInsertionOrder() {
    assertThat(twoModes().modes()).containsExactly("vector", "keyword");
    assertThat(new RelevanceEvaluation().modes()).isEmpty();
  }

  @Test
  void cutOffsAreTenForNdcgAndMrrAndHundredForRecall() {
    List<String> ranking = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ranking.add("filler-" + i);
    }
    ranking.add("a"); // rank 11: beyond nDCG@10 and MRR@10, within recall@100
    RelevanceEvaluation evaluation = new RelevanceEvaluation();
    evaluation.add("m", "q", ranking, Set.of("a"));

    assertThat(evaluation.scores("m")).isEqualTo(new ModeScores("m", 0.0, 1.0, 0.0, 1));

    for (int i = 10; i < 100; i++) {
      ranking.add(10, "filler-" + i); // pushes "a" to rank 101
    }
    evaluation.add("m", "q-deep", ranking, Set.of("a"));
    assertThat(evaluation.scores("m").recall100()).isEqualTo(0.5);
  }

  @Test
  void perQueryCsvHasOneRowPerModeAndQuery() {
    assertThat(twoModes().perQueryCsv())
        .isEqualTo(
            "mode,query_id,ndcg@10,recall@100,mrr@10\n"
                + "vector,q1,0.0000,0.0000,0.0000\n"
                + "keyword,q1,0.9197,1.0000,1.0000\n"
                + "keyword,q2,0.5000,1.0000,0.3333\n");
    assertThat(new RelevanceEvaluation().perQueryCsv()).isEqualTo(RelevanceEvaluation.CSV_HEADER + "\n");
  }

  @Test
  void perQueryCsvQuotesFieldsThatNeedIt() {
    RelevanceEvaluation evaluation = new RelevanceEvaluation();
    evaluation.add("rrf,k=60", "say \"hi\"", List.of("a"), Set.of("a"));

    assertThat(evaluation.perQueryCsv())
        .endsWith("\n\"rrf,k=60\",\"say \"\"hi\"\"\",1.0000,1.0000,1.0000\n");
  }

  @Test
  void aQueryCanBeAddedOncePerMode() {
    RelevanceEvaluation evaluation = twoModes();

    assertThatThrownBy(() -> evaluation.add("keyword", "q1", List.of("a"), Set.of("a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("q1");
    // the failed add changed nothing
    assertThat(evaluation.scores("keyword").queries()).isEqualTo(2);
    // the same query under another mode is fine
    evaluation.add("hybrid", "q1", List.of("a"), Set.of("a"));
    assertThat(evaluation.modes()).containsExactly("vector", "keyword", "hybrid");
  }

  @Test
  void scoresOfAnUnknownModeAreAnError() {
    assertThatThrownBy(() -> twoModes().scores("text"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("text");
    assertThatThrownBy(() -> new RelevanceEvaluation().add(" ", "q", List.of(), Set.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
