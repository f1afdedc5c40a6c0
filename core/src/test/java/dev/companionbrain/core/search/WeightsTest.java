package dev.companionbrain.core.search;

import static dev.companionbrain.core.search.Retriever.KEYWORD;
import static dev.companionbrain.core.search.Retriever.TEXT;
import static dev.companionbrain.core.search.Retriever.VECTOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WeightsTest {
  @Test
  void parsesAFullSpec() {
    Weights weights = Weights.parse("text:0.2,keyword:0.4,vector:0.4");

    assertThat(weights.weight(TEXT)).isEqualTo(0.2);
    assertThat(weights.weight(KEYWORD)).isEqualTo(0.4);
    assertThat(weights.weight(VECTOR)).isEqualTo(0.4);
    assertThat(weights.active()).containsExactly(TEXT, KEYWORD, VECTOR);
  }

  @Test
  void toleratesWhitespaceAndCaseAndGivesUnmentionedRetrieversZero() {
    Weights weights = Weights.parse("  Keyword : 1 ,\tVECTOR:2.50 ");

    assertThat(weights.weight(KEYWORD)).isEqualTo(1.0);
    assertThat(weights.weight(VECTOR)).isEqualTo(2.5);
    assertThat(weights.weight(TEXT)).isEqualTo(0.0);
    assertThat(weights.active()).containsExactly(KEYWORD, VECTOR);
  }

  @Test
  void acceptsLeadingDotAndExplicitZero() {
    Weights weights = Weights.parse("text:0,keyword:.5,vector:3.");

    assertThat(weights.weight(TEXT)).isEqualTo(0.0);
    assertThat(weights.weight(KEYWORD)).isEqualTo(0.5);
    assertThat(weights.weight(VECTOR)).isEqualTo(3.0);
    assertThat(weights.active()).containsExactly(KEYWORD, VECTOR);
  }

  @Test
  void toSpecIsCanonical() {
    assertThat(Weights.parse("vector:0.50,text:0.25").toSpec()).isEqualTo("text:0.25,vector:0.5");
    assertThat(Weights.parse("text:0,keyword:1.0").toSpec()).isEqualTo("keyword:1");
    assertThat(Weights.parse("keyword:10,vector:100.000").toSpec()).isEqualTo("keyword:10,vector:100");
    assertThat(Weights.parse("text:0.2,keyword:0.4,vector:0.4").toSpec())
        .isEqualTo("text:0.2,keyword:0.4,vector:0.4");
  }

  @Test
  void toSpecParsesBackToEqualWeights() {
    Weights weights = Weights.parse("vector:0.125, keyword:2");

    assertThat(Weights.parse(weights.toSpec())).isEqualTo(weights);
  }

  @Test
  void equalWeightsAreEqualHoweverWritten() {
    Weights a = Weights.parse("vector:0.5,keyword:0.5");
    Weights b = Weights.parse("KEYWORD:0.50, text:0, vector:.5");
    Weights c = Weights.of(Map.of(KEYWORD, 0.5, VECTOR, 0.5));

    assertThat(a).isEqualTo(b).isEqualTo(c).hasSameHashCodeAs(b).hasSameHashCodeAs(c);
    assertThat(a).isNotEqualTo(Weights.parse("keyword:0.5,vector:0.6"));
  }

  @Test
  void activeIsUnmodifiable() {
    assertThatThrownBy(() -> Weights.parse("text:1").active().add(VECTOR))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void ofRejectsBadWeights() {
    assertThatThrownBy(() -> Weights.of(Map.of(TEXT, -1.0))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Weights.of(Map.of(TEXT, Double.NaN)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Weights.of(Map.of(TEXT, Double.POSITIVE_INFINITY)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Weights.of(Map.of(TEXT, 0.0))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Weights.of(Map.of())).isInstanceOf(IllegalArgumentException.class);
  }

  static Stream<Arguments> badSpecs() {
    return Stream.of(
        Arguments.of(null, "empty"),
        Arguments.of("", "empty"),
        Arguments.of("   ", "empty"),
        Arguments.of("foo:1", "'foo'"),
        Arguments.of("text:1,bm25:1", "'bm25'"),
        Arguments.of("text", "'text'"),
        Arguments.of("text=1", "'text=1'"),
        Arguments.of("text:abc", "'text:abc'"),
        Arguments.of("text:", "'text:'"),
        Arguments.of("text:1e3", "'text:1e3'"),
        Arguments.of("text:0x10", "'text:0x10'"),
        Arguments.of("text:-1", "negative"),
        Arguments.of("text:NaN", "'text:NaN'"),
        Arguments.of("text:Infinity", "'text:Infinity'"),
        Arguments.of("text:1" + "0".repeat(400), "too large"),
        Arguments.of("text:1,TEXT:2", "more than once"),
        Arguments.of("text:0,keyword:0", "zero"),
        Arguments.of("text:1,", "empty entry"),
        Arguments.of("text:1,,keyword:1", "empty entry"));
  }

  @ParameterizedTest
  @MethodSource("badSpecs")
  void rejectsBadSpecsNamingTheBadPart(String spec, String messagePart) {
    Throwable thrown = catchThrowable(() -> Weights.parse(spec));

    assertThat(thrown).isInstanceOf(BadRequestException.class).hasMessageContaining(messagePart);
    assertThat(((BadRequestException) thrown).code()).isEqualTo("invalid_weights");
  }
}
