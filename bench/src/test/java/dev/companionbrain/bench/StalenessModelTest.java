package dev.companionbrain.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StalenessModelTest {
  @Test
  void withoutGenerationsOnlyEachWindowsFirstRequestMisses() {
    // 10 equally popular windows, 1000 requests: 10 first requests miss
    assertThat(StalenessModel.share(10, 0, 10, 0, 0, 0, 100, 1)).isCloseTo(0.99, within(0.002));
  }

  @Test
  void warmingEveryWindowAnswersEverythingAndABoundOfAWholeGenerationKeepsBusyWindowsAlive() {
    assertThat(StalenessModel.share(50, 1, 50, 1, 0.25, 50, 60, 2)).isEqualTo(1.0);
    double strict = StalenessModel.share(225, 1, 50, 1, 0, 0, 300, 3);
    double lenient = StalenessModel.share(225, 1, 50, 1, 1, 0, 300, 3);
    assertThat(lenient).isGreaterThan(strict + 0.05);
  }

  @Test
  void moreFrequentGenerationsLeaveLessInTheCache() {
    double everySecond = StalenessModel.share(225, 1, 50, 1, 0.5, 0, 300, 4);
    double everyTenSeconds = StalenessModel.share(225, 1, 50, 10, 0.5, 0, 300, 4);
    assertThat(everyTenSeconds).isGreaterThan(everySecond);
    // the bench's mix with a generation a second and a 500 ms bound: about half (measured 53 %)
    assertThat(everySecond).isBetween(0.45, 0.60);
  }
}
