package dev.companionbrain.core.search;

import static dev.companionbrain.core.search.Retriever.KEYWORD;
import static dev.companionbrain.core.search.Retriever.TEXT;
import static dev.companionbrain.core.search.Retriever.VECTOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FusionTest {
  private static final Offset<Double> EXACT_ENOUGH = within(1e-12);

  private static final Weights EQUAL_TEXT_KEYWORD = Weights.parse("text:1,keyword:1");

  /** TEXT = [a, b, c], KEYWORD = [c, a, d]. */
  private static final Map<Retriever, List<ScoredId>> TWO_LISTS =
      Map.of(
          TEXT, List.of(hit("a", 0.9), hit("b", 0.8), hit("c", 0.7)),
          KEYWORD, List.of(hit("c", 12.0), hit("a", 8.0), hit("d", 3.0)));

  private static ScoredId hit(String id, double score) {
    return new ScoredId(id, score);
  }

  private static FusedHit find(List<FusedHit> hits, String id) {
    return hits.stream()
        .filter(hit -> hit.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no hit " + id + " in " + hits));
  }

  @Nested
  class ReciprocalRank {
    @Test
    void sumsReciprocalRanksAcrossLists() {
      List<FusedHit> hits = Fusion.rrf(EQUAL_TEXT_KEYWORD).fuse(TWO_LISTS, 10);

      assertThat(hits).extracting(FusedHit::id).containsExactly("a", "c", "b", "d");
      assertThat(hits.get(0).score()).isCloseTo(1.0 / 61 + 1.0 / 62, EXACT_ENOUGH);
      assertThat(hits.get(1).score()).isCloseTo(1.0 / 63 + 1.0 / 61, EXACT_ENOUGH);
      assertThat(hits.get(2).score()).isCloseTo(1.0 / 62, EXACT_ENOUGH);
      assertThat(hits.get(3).score()).isCloseTo(1.0 / 63, EXACT_ENOUGH);
    }

    @Test
    void contributionsHoldOneBasedRanksAndScores() {
      List<FusedHit> hits = Fusion.rrf(EQUAL_TEXT_KEYWORD).fuse(TWO_LISTS, 10);

      assertThat(find(hits, "a").contributions())
          .containsExactly(
              Map.entry(TEXT, new Contribution(1, 0.9, 0.9)),
              Map.entry(KEYWORD, new Contribution(2, 8.0, 8.0 / 18.0)));
      assertThat(find(hits, "c").contributions())
          .containsExactly(
              Map.entry(TEXT, new Contribution(3, 0.7, 0.7)),
              Map.entry(KEYWORD, new Contribution(1, 12.0, 12.0 / 22.0)));
      assertThat(find(hits, "d").contributions())
          .containsExactly(Map.entry(KEYWORD, new Contribution(3, 3.0, 3.0 / 13.0)));
    }

    @Test
    void aHeavierWeightChangesTheOrder() {
      List<FusedHit> hits = Fusion.rrf(Weights.parse("text:1,keyword:3")).fuse(TWO_LISTS, 10);

      // a = 1/61 + 3/62 = 0.064780, c = 1/63 + 3/61 = 0.065053, d = 3/63 = 0.047619, b = 1/62
      assertThat(hits).extracting(FusedHit::id).containsExactly("c", "a", "d", "b");
      assertThat(hits.get(0).score()).isCloseTo(1.0 / 63 + 3.0 / 61, EXACT_ENOUGH);
      assertThat(hits.get(1).score()).isCloseTo(1.0 / 61 + 3.0 / 62, EXACT_ENOUGH);
      assertThat(hits.get(2).score()).isCloseTo(3.0 / 63, EXACT_ENOUGH);
      assertThat(hits.get(3).score()).isCloseTo(1.0 / 62, EXACT_ENOUGH);
    }

    @Test
    void equalScoresAreOrderedById() {
      Map<Retriever, List<ScoredId>> mirrored =
          Map.of(
              TEXT, List.of(hit("y", 0.9), hit("x", 0.8)),
              KEYWORD, List.of(hit("x", 5.0), hit("y", 4.0)),
              VECTOR, List.of(hit("w", 0.5)));

      List<FusedHit> hits = Fusion.rrf(Weights.parse("text:1,keyword:1,vector:2")).fuse(mirrored, 10);

      // x and y: 1/61 + 1/62 each; w: 2/61 is larger
      assertThat(hits).extracting(FusedHit::id).containsExactly("w", "x", "y");
      assertThat(hits.get(1).score()).isEqualTo(hits.get(2).score());
    }

    @Test
    void withOneListEmptyTheRankingFollowsTheOther() {
      Map<Retriever, List<ScoredId>> ranked =
          Map.of(TEXT, List.of(), KEYWORD, List.of(hit("c", 12.0), hit("a", 8.0), hit("d", 3.0)));

      List<FusedHit> hits = Fusion.rrf(EQUAL_TEXT_KEYWORD).fuse(ranked, 10);

      assertThat(hits).extracting(FusedHit::id).containsExactly("c", "a", "d");
      assertThat(hits.get(0).score()).isCloseTo(1.0 / 61, EXACT_ENOUGH);
    }

    @Test
    void aMissingRetrieverIsLikeAnEmptyList() {
      Map<Retriever, List<ScoredId>> ranked = new HashMap<>();
      ranked.put(KEYWORD, List.of(hit("c", 12.0), hit("a", 8.0)));
      ranked.put(VECTOR, null);

      List<FusedHit> hits = Fusion.rrf(Weights.parse("text:1,keyword:1,vector:1")).fuse(ranked, 10);

      assertThat(hits).extracting(FusedHit::id).containsExactly("c", "a");
    }

    @Test
    void allListsEmptyGiveNoHits() {
      Fusion rrf = Fusion.rrf(EQUAL_TEXT_KEYWORD);

      assertThat(rrf.fuse(Map.of(TEXT, List.of(), KEYWORD, List.of()), 10)).isEmpty();
      assertThat(rrf.fuse(Map.of(), 10)).isEmpty();
    }

    @Test
    void keepsOnlyLimitHits() {
      Fusion rrf = Fusion.rrf(EQUAL_TEXT_KEYWORD);

      assertThat(rrf.fuse(TWO_LISTS, 2)).extracting(FusedHit::id).containsExactly("a", "c");
      assertThat(rrf.fuse(TWO_LISTS, 0)).isEmpty();
      assertThatThrownBy(() -> rrf.fuse(TWO_LISTS, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDuplicateKeepsItsFirstOccurrenceAndDoesNotTakeARank() {
      Map<Retriever, List<ScoredId>> ranked =
          Map.of(TEXT, List.of(hit("a", 0.9), hit("b", 0.8), hit("a", 0.7), hit("c", 0.6)));

      List<FusedHit> hits = Fusion.rrf(Weights.parse("text:1")).fuse(ranked, 10);

      assertThat(hits).extracting(FusedHit::id).containsExactly("a", "b", "c");
      assertThat(hits.get(0).contributions()).containsExactly(Map.entry(TEXT, new Contribution(1, 0.9, 0.9)));
      assertThat(hits.get(2).contributions().get(TEXT).rank()).isEqualTo(3);
      assertThat(hits.get(2).score()).isCloseTo(1.0 / 63, EXACT_ENOUGH);
    }

    @Test
    void aZeroWeightRetrieverDoesNotScoreButIsReported() {
      Map<Retriever, List<ScoredId>> ranked =
          Map.of(
              TEXT, List.of(hit("a", 0.9), hit("b", 0.8)),
              KEYWORD, List.of(hit("b", 7.0), hit("c", 6.0)));

      List<FusedHit> hits = Fusion.rrf(Weights.parse("text:0,keyword:1")).fuse(ranked, 10);

      // a only came from the weight-0 retriever: left out
      assertThat(hits).extracting(FusedHit::id).containsExactly("b", "c");
      assertThat(hits.get(0).score()).isCloseTo(1.0 / 61, EXACT_ENOUGH);
      assertThat(hits.get(0).contributions()).containsOnlyKeys(TEXT, KEYWORD);
      assertThat(hits.get(0).contributions().get(TEXT).rank()).isEqualTo(2);
    }

    @Test
    void kIsConfigurable() {
      Map<Retriever, List<ScoredId>> ranked = Map.of(TEXT, List.of(hit("a", 0.9), hit("b", 0.8)));

      List<FusedHit> hits = Fusion.rrf(Weights.parse("text:1"), 1).fuse(ranked, 10);

      assertThat(hits.get(0).score()).isCloseTo(1.0 / 2, EXACT_ENOUGH);
      assertThat(hits.get(1).score()).isCloseTo(1.0 / 3, EXACT_ENOUGH);
      assertThatThrownBy(() -> Fusion.rrf(EQUAL_TEXT_KEYWORD, -1))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void isNamedRrf() {
      assertThat(Fusion.rrf(EQUAL_TEXT_KEYWORD).name()).isEqualTo("rrf");
    }
  }

  @Nested
  class WeightedSum {
    private final Weights weights = Weights.parse("text:0.2,keyword:0.4,vector:0.4");

    /**
     * Normalised: TEXT a 0.9, b 0.5; KEYWORD c 30/40 = 0.75, b 10/20 = 0.5; VECTOR a (0.6+1)/2 =
     * 0.8, c (0.2+1)/2 = 0.6.
     */
    private final Map<Retriever, List<ScoredId>> threeLists =
        Map.of(
            TEXT, List.of(hit("a", 0.9), hit("b", 0.5)),
            KEYWORD, List.of(hit("c", 30.0), hit("b", 10.0)),
            VECTOR, List.of(hit("a", 0.6), hit("c", 0.2)));

    @Test
    void sumsWeightedFixedBoundNormalisedScores() {
      List<FusedHit> hits = Fusion.weightedSum(weights).fuse(threeLists, 10);

      // c = 0.4*0.75 + 0.4*0.6 = 0.54; a = 0.2*0.9 + 0.4*0.8 = 0.50; b = 0.2*0.5 + 0.4*0.5 = 0.30
      assertThat(hits).extracting(FusedHit::id).containsExactly("c", "a", "b");
      assertThat(hits.get(0).score()).isCloseTo(0.54, EXACT_ENOUGH);
      assertThat(hits.get(1).score()).isCloseTo(0.50, EXACT_ENOUGH);
      assertThat(hits.get(2).score()).isCloseTo(0.30, EXACT_ENOUGH);
    }

    @Test
    void contributionsHoldRanksRawAndNormalisedScores() {
      FusedHit c = find(Fusion.weightedSum(weights).fuse(threeLists, 10), "c");

      assertThat(c.contributions()).containsOnlyKeys(KEYWORD, VECTOR);
      assertThat(c.contributions().get(KEYWORD)).isEqualTo(new Contribution(1, 30.0, 0.75));
      assertThat(c.contributions().get(VECTOR).rank()).isEqualTo(2);
      assertThat(c.contributions().get(VECTOR).rawScore()).isEqualTo(0.2);
      assertThat(c.contributions().get(VECTOR).normalizedScore()).isCloseTo(0.6, EXACT_ENOUGH);
    }

    @Test
    void aHitsScoreDoesNotDependOnThePageSize() {
      Fusion fusion = Fusion.weightedSum(weights);

      List<FusedHit> one = fusion.fuse(threeLists, 1);
      List<FusedHit> ten = fusion.fuse(threeLists, 10);

      assertThat(one).extracting(FusedHit::id).containsExactly("c");
      assertThat(one.get(0).score()).isEqualTo(ten.get(0).score());
    }

    @Test
    void aHitsScoreDoesNotDependOnTheOtherHits() {
      Fusion fusion = Fusion.weightedSum(weights);

      double alone = fusion.fuse(Map.of(TEXT, List.of(hit("a", 0.9))), 10).get(0).score();
      double among =
          find(
                  fusion.fuse(
                      Map.of(TEXT, List.of(hit("z", 1.0), hit("a", 0.9), hit("y", 0.1))), 10),
                  "a")
              .score();

      assertThat(alone).isCloseTo(0.2 * 0.9, EXACT_ENOUGH);
      assertThat(among).isEqualTo(alone);
    }

    @Test
    void aRetrieverThatMissedTheDocumentAddsZero() {
      Map<Retriever, List<ScoredId>> ranked =
          Map.of(TEXT, List.of(hit("d", 0.5)), KEYWORD, List.of(hit("e", 10.0)));

      List<FusedHit> hits = Fusion.weightedSum(weights).fuse(ranked, 10);

      // e = 0.4 * 0.5 = 0.2; d = 0.2 * 0.5 = 0.1; VECTOR absent adds nothing
      assertThat(hits).extracting(FusedHit::id).containsExactly("e", "d");
      assertThat(hits.get(0).score()).isCloseTo(0.2, EXACT_ENOUGH);
      assertThat(hits.get(1).score()).isCloseTo(0.1, EXACT_ENOUGH);
      assertThat(hits.get(1).contributions()).containsOnlyKeys(TEXT);
    }

    @Test
    void equalScoresAreOrderedByIdAndLimitTruncates() {
      Map<Retriever, List<ScoredId>> ranked =
          Map.of(TEXT, List.of(hit("m", 0.5), hit("k", 0.5), hit("l", 0.5)));

      List<FusedHit> hits = Fusion.weightedSum(weights).fuse(ranked, 2);

      assertThat(hits).extracting(FusedHit::id).containsExactly("k", "l");
    }

    @Test
    void allListsEmptyGiveNoHits() {
      assertThat(Fusion.weightedSum(weights).fuse(Map.of(TEXT, List.of()), 10)).isEmpty();
    }

    @Test
    void isNamedWeighted() {
      assertThat(Fusion.weightedSum(weights).name()).isEqualTo("weighted");
      assertThat(FusionMethod.WEIGHTED.create(weights).name()).isEqualTo("weighted");
      assertThat(FusionMethod.RRF.create(weights).name()).isEqualTo("rrf");
    }
  }

  @Test
  void fusedHitContributionsAreUnmodifiable() {
    FusedHit hit = Fusion.rrf(EQUAL_TEXT_KEYWORD).fuse(TWO_LISTS, 1).get(0);

    assertThatThrownBy(() -> hit.contributions().remove(TEXT))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void scoredIdRejectsNonFiniteScores() {
    assertThatThrownBy(() -> new ScoredId("a", Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ScoredId("a", Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
