package dev.companionbrain.core.document;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Vectors that pass as doubles but break the engines: must be refused before indexing. */
class VectorValidationRegressionTest {
  private static ParseResult parseWithVector(String element, String rest) {
    StringBuilder v = new StringBuilder("[").append(element);
    for (int i = 1; i < DocumentParser.DIMENSIONS; i++) {
      v.append(',').append(rest);
    }
    String json = "{\"op\":\"upsert\",\"id\":\"v1\",\"title\":\"t\",\"vector\":" + v + "]}";
    return DocumentParser.parse(null, json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aValueBeyondFloatRangeIsRefusedNotTurnedIntoInfinity() {
    ParseResult r = parseWithVector("1e39", "0.1");
    assertThat(r).isInstanceOf(ParseResult.Rejected.class);
    assertThat(((ParseResult.Rejected) r).reason()).isEqualTo(RejectReason.WRONG_TYPE);
  }

  @Test
  void anAllZeroVectorIsRefused() {
    ParseResult r = parseWithVector("0", "0.0");
    assertThat(r).isInstanceOf(ParseResult.Rejected.class);
    assertThat(((ParseResult.Rejected) r).message()).contains("zero");
  }

  @Test
  void aSingleNonZeroElementIsEnough() {
    assertThat(parseWithVector("0.5", "0")).isInstanceOf(ParseResult.Valid.class);
  }

  @Test
  void snippetNeverSplitsASurrogatePair() {
    String body = "x".repeat(9) + "😀" + "y".repeat(20);
    String snippet = new Document("d", "t", body, null, null, null).snippet(10);
    assertThat(snippet).doesNotContain("\uD83D…").endsWith("…");
    assertThat(Character.isHighSurrogate(snippet.charAt(snippet.length() - 2))).isFalse();
  }
}
