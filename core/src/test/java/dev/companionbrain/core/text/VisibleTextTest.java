package dev.companionbrain.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class VisibleTextTest {

  /** What normalize does, written the plain way: one code point at a time through the Unicode tables. */
  private static String normalizeByCodePoints(String text) {
    StringBuilder out = new StringBuilder();
    boolean space = false;
    for (int cp : text.codePoints().toArray()) {
      int type = Character.getType(cp);
      if (type == Character.FORMAT || type == Character.SURROGATE || (cp >= 0xFE00 && cp <= 0xFE0F)
          || (cp >= 0xE0100 && cp <= 0xE01EF) || cp == 0xFFFD || cp == 0x034F || cp == 0x115F || cp == 0x1160 || cp == 0x3164
          || cp == 0xFFA0 || cp == 0x17B4 || cp == 0x17B5) {
        continue;
      }
      if (Character.isWhitespace(cp) || Character.isSpaceChar(cp) || type == Character.CONTROL) {
        space = out.length() > 0;
        continue;
      }
      if (space) {
        out.append(' ');
      }
      space = false;
      out.appendCodePoint(Character.toLowerCase(cp));
    }
    return out.toString();
  }

  @ParameterizedTest
  @MethodSource("texts")
  void normalizeAgreesWithTheCodePointDefinition(String text) {
    assertThat(VisibleText.normalize(text)).isEqualTo(normalizeByCodePoints(text));
  }

  static Stream<String> texts() {
    StringBuilder everyAscii = new StringBuilder();
    for (char c = 0; c < 0x80; c++) {
      everyAscii.append('x').append(c);
    }
    return Stream.of("", " ", "Boundary Layer", "  \tMIXED\n case \r\n", "a\u000Bb\u000Cc\u001Cd\u001Fe",
        "\u00A0non\u00A0breaking\u2003em space\u3000", "ÀÉÎ ÕÜ Straße İstanbul ΣΑΣ", "\uD835\uDC00 math bold",
        "emoji \uD83D\uDE00 ok\uFE0F", "rtl\u200Fmark\u202Eoverride\uFEFFbom zero\u200Bwidth soft\u00ADhyphen",
        "lone \uD800 surrogate \uDC00", "nul\u0000in\u0007the\u007Fmiddle", everyAscii.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\u0000", "\u200E", "\u202E\u200F", "\uFEFF", "\u200B\u200C\u200D\u2060",
      "\u00A0\u2003\u3000\t\n", "\u0301\u20DD", "\u3164\uFE0F", "\uD800", "\uFFFD\uFFFD"})
  void nothingVisibleIsEmpty(String text) {
    assertThat(VisibleText.isEmpty(text)).isTrue();
    assertThat(VisibleText.clean(text).isEmpty() || VisibleText.clean(text).codePoints()
        .allMatch(cp -> Character.getType(cp) == Character.NON_SPACING_MARK || Character.getType(cp) == Character.ENCLOSING_MARK))
        .isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "\u200Ea", "\uD83D\uDE00", "-", "7", "e\u0301", "\u0915\u093F"})
  void anythingVisibleIsNotEmpty(String text) {
    assertThat(VisibleText.isEmpty(text)).isFalse();
    assertThat(VisibleText.clean(text)).isNotEmpty();
  }

  @Test
  void nullIsEmpty() {
    assertThat(VisibleText.isEmpty(null)).isTrue();
  }

  @Test
  void cleanKeepsCaseAndSeparatesAtControlCharacters() {
    assertThat(VisibleText.clean("\uFEFF Shock\u0000Waves\u200B over  a\u00A0Wedge ")).isEqualTo("Shock Waves over a Wedge");
  }

  @Test
  void aTextThatIsAlreadyCleanComesBackAsItIsAndAnyOtherIsFolded() {
    String clean = "Boundary layer ~ flow!";
    assertThat(VisibleText.clean(clean)).isSameAs(clean);
    assertThat(VisibleText.normalize("boundary layer")).isSameAs(VisibleText.normalize("boundary layer"))
        .isEqualTo("boundary layer");
    String lower = "boundary layer";
    assertThat(VisibleText.normalize(lower)).isSameAs(lower);
    assertThat(VisibleText.normalize("Boundary layer")).isEqualTo("boundary layer");
    assertThat(VisibleText.normalize("boundary layeR")).isEqualTo("boundary layer");
    assertThat(VisibleText.normalize("boundary layer@[`{")).isEqualTo("boundary layer@[`{");
    assertThat(VisibleText.normalize("Alpha")).isEqualTo("alpha");
    assertThat(VisibleText.normalize("zuluZ")).isEqualTo("zuluz");
    String upper = "Alpha Zulu";
    assertThat(VisibleText.clean(upper)).isSameAs(upper);
    assertThat(VisibleText.clean(" a")).isEqualTo("a");
    assertThat(VisibleText.clean("a ")).isEqualTo("a");
    assertThat(VisibleText.clean("a  b")).isEqualTo("a b");
    assertThat(VisibleText.clean("a \tb")).isEqualTo("a b");
    assertThat(VisibleText.clean("a\u007Fb")).isEqualTo("a b");
    assertThat(VisibleText.clean("a\u001Fb")).isEqualTo("a b");
    assertThat(VisibleText.clean("a\u00ADb")).isEqualTo("ab");
    assertThat(VisibleText.clean("~")).isEqualTo("~");
    assertThat(VisibleText.clean("")).isEmpty();
    assertThat(VisibleText.clean(" ")).isEmpty();
    assertThat(VisibleText.clean("a b c")).isEqualTo("a b c");
  }
}
