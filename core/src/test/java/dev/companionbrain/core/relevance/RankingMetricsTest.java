package dev.companionbrain.core.relevance;

import static dev.companionbrain.core.relevance.RankingMetrics.ndcgAt;
import static dev.companionbrain.core.relevance.RankingMetrics.recallAt;
import static dev.companionbrain.core.relevance.RankingMetrics.reciprocalRankAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class RankingMetricsTest {
  private static final Offset<Double> EPS = within(1e-9);

  @Test
  void ndcgOfARelevantMissInTheMiddle() {
    // ranking [a, x, b], relevant {a, b}:
    // DCG  = 1/log2(2) + 0/log2(3) + 1/log2(4) = 1 + 0.5 = 1.5
    // IDCG = 1/log2(2) + 1/log2(3) = 1 + 0.6309297535714575 = 1.6309297535714575
    // nDCG = 1.5 / 1.6309297535714575 = 0.9197207891481876
    List<String> ranking = List.of("a", "x", "b");
    Set<String> relevant = Set.of("a", "b");

    assertThat(ndcgAt(10, ranking, relevant)).isCloseTo(0.9197207891481876, EPS);
    // at k = 2 only a counts: DCG = 1, IDCG = 1 + 1/log2(3), nDCG = 1 / 1.6309... = 0.6131471927654584
    assertThat(ndcgAt(2, ranking, relevant)).isCloseTo(0.6131471927654584, EPS);
  }

  @Test
  void ndcgOfOneRelevantAtRankThree() {
    // DCG = 1/log2(4) = 0.5, IDCG = 1/log2(2) = 1
    assertThat(ndcgAt(10, List.of("x", "y", "a"), Set.of("a"))).isCloseTo(0.5, EPS);
    assertThat(ndcgAt(2, List.of("x", "y", "a"), Set.of("a"))).isZero();
  }

  @Test
  void idealDcgUsesAtMostKRelevantDocuments() {
    // k = 2, 4 relevant, top 2 both relevant: DCG = IDCG = 1 + 1/log2(3) -> 1
    List<String> ranking = List.of("a", "b", "x", "c");
    Set<String> relevant = Set.of("a", "b", "c", "d");

    assertThat(ndcgAt(2, ranking, relevant)).isCloseTo(1.0, EPS);
    // k = 10: DCG = 1 + 0.6309297535714575 + 1/log2(5) = 1 + 0.6309... + 0.43067655807339306
    //              = 2.0616063116448506
    // IDCG = 1 + 0.6309... + 0.5 + 1/log2(5) = 2.5616063116448506
    assertThat(ndcgAt(10, ranking, relevant)).isCloseTo(2.0616063116448506 / 2.5616063116448506, EPS);
  }

  @Test
  void perfectRankingScoresOne() {
    assertThat(ndcgAt(10, List.of("a", "b", "c"), Set.of("c", "a", "b"))).isCloseTo(1.0, EPS);
    assertThat(recallAt(3, List.of("a", "b", "c"), Set.of("c", "a", "b"))).isEqualTo(1.0);
  }

  @Test
  void recallCountsTheShareFoundInTheTopK() {
    List<String> ranking = List.of("a", "x", "b");
    Set<String> relevant = Set.of("a", "b");

    assertThat(recallAt(1, ranking, relevant)).isEqualTo(0.5);
    assertThat(recallAt(2, ranking, relevant)).isEqualTo(0.5);
    assertThat(recallAt(3, ranking, relevant)).isEqualTo(1.0);
    // 1 of 4 relevant found
    assertThat(recallAt(100, List.of("x", "c"), Set.of("a", "b", "c", "d"))).isEqualTo(0.25);
  }

  @Test
  void reciprocalRankIsOneOverTheFirstRelevantRank() {
    assertThat(reciprocalRankAt(10, List.of("a", "x", "b"), Set.of("a", "b"))).isEqualTo(1.0);
    assertThat(reciprocalRankAt(10, List.of("x", "y", "a"), Set.of("a"))).isCloseTo(1.0 / 3, EPS);
    assertThat(reciprocalRankAt(2, List.of("x", "y", "a"), Set.of("a"))).isZero();
    assertThat(reciprocalRankAt(10, List.of("x", "y"), Set.of("a"))).isZero();
  }

  @Test
  void everyMetricIsZeroWithoutRelevantDocuments() {
    List<String> ranking = List.of("a", "b");

    assertThat(ndcgAt(10, ranking, Set.of())).isZero();
    assertThat(recallAt(10, ranking, Set.of())).isZero();
    assertThat(reciprocalRankAt(10, ranking, Set.of())).isZero();
  }

  @Test
  void anEmptyRankingScoresZero() {
    assertThat(ndcgAt(10, List.of(), Set.of("a"))).isZero();
    assertThat(recallAt(10, List.of(), Set.of("a"))).isZero();
    assertThat(reciprocalRankAt(10, List.of(), Set.of("a"))).isZero();
  }

  @Test
  void duplicateIdsCountOnceAndDoNotTakeARank() {
    // [a, a, b] is scored as [a, b]: both relevant in the top 2
    List<String> ranking = List.of("a", "a", "b");
    Set<String> relevant = Set.of("a", "b");

    assertThat(ndcgAt(2, ranking, relevant)).isCloseTo(1.0, EPS);
    assertThat(recallAt(2, ranking, relevant)).isEqualTo(1.0);
    // a relevant document repeated is not counted twice: recall stays 1/2
    assertThat(recallAt(10, List.of("a", "a", "a"), relevant)).isEqualTo(0.5);
    // DCG would exceed IDCG if the repeats counted: must stay 1/(1 + 1/log2(3)) = 0.6131471927654584
    assertThat(ndcgAt(10, List.of("a", "a", "a"), relevant)).isCloseTo(0.6131471927654584, EPS);
    // [x, x, a] is scored as [x, a]: RR = 1/2
    assertThat(reciprocalRankAt(10, List.of("x", "x", "a"), Set.of("a"))).isEqualTo(0.5);
  }

  @Test
  void rankingsLongerThanKAreCut() {
    List<String> ranking = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      ranking.add("filler-" + i);
    }
    ranking.add("a");

    assertThat(recallAt(100, ranking, Set.of("a"))).isZero();
    assertThat(recallAt(101, ranking, Set.of("a"))).isEqualTo(1.0);
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> ndcgAt(0, List.of("a"), Set.of("a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k");
    assertThatThrownBy(() -> recallAt(-1, List.of("a"), Set.of("a")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> reciprocalRankAt(0, List.of("a"), Set.of("a")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> recallAt(10, Arrays.asList("a", null), Set.of("a")))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("index 1");
    assertThatThrownBy(() -> recallAt(10, null, Set.of("a"))).isInstanceOf(NullPointerException.class);
  }
}
