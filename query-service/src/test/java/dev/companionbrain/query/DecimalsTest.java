package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DecimalsTest {
  private static String fixed(double value, int places) {
    return Decimals.append(new StringBuilder(), value, places).toString();
  }

  @Test
  void writesRoundedFixedPointWithoutTrailingZeros() {
    assertThat(fixed(12.5, 2)).isEqualTo("12.5");
    assertThat(fixed(3.0, 3)).isEqualTo("3");
    assertThat(fixed(0.25, 2)).isEqualTo("0.25");
    assertThat(fixed(0.005, 2)).isEqualTo("0.01");
    assertThat(fixed(1.0049, 3)).isEqualTo("1.005");
    assertThat(fixed(0.001, 3)).isEqualTo("0.001");
    assertThat(fixed(2.0504, 3)).isEqualTo("2.05");
    assertThat(fixed(0.0004, 3)).isEqualTo("0");
    assertThat(fixed(-1.5, 1)).isEqualTo("-1.5");
    assertThat(fixed(-0.0001, 2)).isEqualTo("0");
    assertThat(fixed(123456.789, 0)).isEqualTo("123457");
  }

  @Test
  void agreesWithTheRoundedDoubleItReplaces() {
    Random random = new Random(5);
    for (int i = 0; i < 100_000; i++) {
      double ms = random.nextDouble() * Math.pow(10, random.nextInt(6));
      for (int places = 0; places <= 4; places++) {
        double expected = Math.round(ms * Math.pow(10, places)) / Math.pow(10, places);
        assertThat(Double.parseDouble(fixed(ms, places))).as("%s to %d places", ms, places).isEqualTo(expected);
      }
    }
  }
}
