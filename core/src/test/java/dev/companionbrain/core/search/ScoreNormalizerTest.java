package dev.companionbrain.core.search;

import static dev.companionbrain.core.search.Retriever.KEYWORD;
import static dev.companionbrain.core.search.Retriever.TEXT;
import static dev.companionbrain.core.search.Retriever.VECTOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ScoreNormalizerTest {
  @Test
  void textIsClampedToTheUnitInterval() {
    assertThat(ScoreNormalizer.normalize(TEXT, 0.37)).isEqualTo(0.37);
    assertThat(ScoreNormalizer.normalize(TEXT, 1.2)).isEqualTo(1.0);
    assertThat(ScoreNormalizer.normalize(TEXT, -0.1)).isEqualTo(0.0);
  }

  @Test
  void vectorMapsCosineOntoTheUnitInterval() {
    assertThat(ScoreNormalizer.normalize(VECTOR, -1.0)).isEqualTo(0.0);
    assertThat(ScoreNormalizer.normalize(VECTOR, 0.0)).isEqualTo(0.5);
    assertThat(ScoreNormalizer.normalize(VECTOR, 1.0)).isEqualTo(1.0);
    assertThat(ScoreNormalizer.normalize(VECTOR, 0.5)).isEqualTo(0.75);
    assertThat(ScoreNormalizer.normalize(VECTOR, 1.5)).isEqualTo(1.0);
    assertThat(ScoreNormalizer.normalize(VECTOR, -3.0)).isEqualTo(0.0);
  }

  @Test
  void keywordIsSquashedWithAFixedHalfPoint() {
    assertThat(ScoreNormalizer.normalize(KEYWORD, 0.0)).isEqualTo(0.0);
    assertThat(ScoreNormalizer.normalize(KEYWORD, -2.0)).isEqualTo(0.0);
    assertThat(ScoreNormalizer.normalize(KEYWORD, ScoreNormalizer.KEYWORD_HALF_SCORE)).isEqualTo(0.5);
    assertThat(ScoreNormalizer.normalize(KEYWORD, 30.0)).isEqualTo(0.75);
    assertThat(ScoreNormalizer.normalize(KEYWORD, 1e9)).isCloseTo(1.0, within(1e-6)).isLessThan(1.0);
    assertThat(ScoreNormalizer.normalize(KEYWORD, 20.0))
        .isGreaterThan(ScoreNormalizer.normalize(KEYWORD, 19.0));
  }

  @Test
  void rejectsNonFiniteScores() {
    assertThatThrownBy(() -> ScoreNormalizer.normalize(KEYWORD, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ScoreNormalizer.normalize(TEXT, Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
