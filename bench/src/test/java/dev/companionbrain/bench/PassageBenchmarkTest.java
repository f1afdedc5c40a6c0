package dev.companionbrain.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PassageBenchmarkTest {
  @Test
  void aBodyNoLongerThanTheWindowIsOnePassageTheWholeDocumentsText() {
    assertThat(PassageBenchmark.passages("Title", "one two three", 3, 2)).containsExactly("Title. one two three");
    assertThat(PassageBenchmark.passages("", "one two", 3, 3)).containsExactly("one two");
    assertThat(PassageBenchmark.passages("Title", "  ", 3, 3)).containsExactly("Title.   ");
  }

  @Test
  void aLongerBodyIsCutIntoOverlappingWindowsEachAfterTheTitleAndTheLastEndsWithTheBody() {
    assertThat(PassageBenchmark.passages("T", "a b c d e f g", 4, 2))
        .containsExactly("T. a b c d", "T. c d e f", "T. e f g");
    assertThat(PassageBenchmark.passages("T", "a b c d e f", 4, 2)).containsExactly("T. a b c d", "T. c d e f");
    assertThat(PassageBenchmark.passages("T", " a  b\nc ", 2, 1)).containsExactly("T. a b", "T. b c");
  }

  @Test
  void aWindowThatWouldLeaveWordsOutIsRefused() {
    assertThatThrownBy(() -> PassageBenchmark.passages("T", "a b", 2, 3)).hasMessageContaining("leaves words out");
    assertThatThrownBy(() -> PassageBenchmark.passages("T", "a b", 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(PassageBenchmark.passages("T", "a b c", 1, 1)).containsExactly("T. a", "T. b", "T. c");
  }

  @Test
  void aWindowIsWrittenWordsSlashStride() {
    assertThat(PassageBenchmark.window("200/100")).containsExactly(200, 100);
    assertThat(PassageBenchmark.window(" 8 / 4 ")).containsExactly(8, 4);
    for (String bad : List.of("200", "200/", "a/1", "1/2/3")) {
      assertThatThrownBy(() -> PassageBenchmark.window(bad)).hasMessageContaining("'" + bad + "' is not WORDS/STRIDE");
    }
  }

  @Test
  void aDocumentScoresItsBestPassage() {
    float[] query = {1, 0};
    List<float[]> vectors = List.of(new float[] {0.2f, 0.9f}, new float[] {0.8f, 0.6f}, new float[] {-1, 0}, new float[] {0.5f, 0.5f});
    double[] scores = PassageBenchmark.bestScores(3, query, vectors, new int[] {0, 0, 1, 2});
    assertThat(scores[0]).isEqualTo(0.8f, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(scores[1]).isEqualTo(-1.0, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(scores[2]).isEqualTo(0.5, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(PassageBenchmark.bestScores(2, query, List.of(new float[] {0.3f, 0}), new int[] {1})[0])
        .isEqualTo(Double.NEGATIVE_INFINITY);
  }
}
