package dev.companionbrain.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pure parts of {@code brain bench cache}: the Zipf sampler, the figures' arithmetic, /proc/stat parsing. */
class CacheBenchmarkTest {

  @Test
  void zipfProbabilitiesAreOneOverRankNormalised() {
    ZipfSampler zipf = new ZipfSampler(225, 1.0);
    double harmonic = 0;
    for (int r = 1; r <= 225; r++) {
      harmonic += 1.0 / r;
    }
    assertThat(zipf.probability(0)).isCloseTo(1 / harmonic, offset(1e-12));
    assertThat(zipf.probability(9)).isCloseTo(1 / (10 * harmonic), offset(1e-12));
    double sum = 0;
    for (int r = 0; r < 225; r++) {
      sum += zipf.probability(r);
    }
    assertThat(sum).isCloseTo(1.0, offset(1e-9));
  }

  @Test
  void zipfSamplesFollowTheDistributionAndTheSeed() {
    ZipfSampler zipf = new ZipfSampler(225, 1.0);
    int draws = 200_000;
    int[] counts = new int[225];
    Random random = new Random(12);
    for (int i = 0; i < draws; i++) {
      counts[zipf.sample(random)]++;
    }
    // 200k draws: the standard error of the top rank's share is under 0.001
    assertThat(counts[0] / (double) draws).isCloseTo(zipf.probability(0), offset(0.005));
    assertThat(counts[1] / (double) draws).isCloseTo(zipf.probability(1), offset(0.005));
    assertThat(counts[224]).isPositive();
    assertThat(counts[0]).isGreaterThan(counts[1]).isGreaterThan(counts[9]);

    Random a = new Random(7);
    Random b = new Random(7);
    for (int i = 0; i < 100; i++) {
      assertThat(zipf.sample(a)).isEqualTo(zipf.sample(b));
    }
  }

  @Test
  void zipfWithOneRankAlwaysAnswersIt() {
    ZipfSampler one = new ZipfSampler(1, 1.0);
    assertThat(one.sample(new Random(1))).isZero();
    assertThat(one.probability(0)).isEqualTo(1.0);
  }

  @Test
  void cacheShareCountsL1AndL2AmongThe200Answers() {
    CacheFigures f = new CacheFigures(250);
    for (int i = 0; i < 90; i++) {
      f.answer(200, "l1", 0, 1_000);
    }
    for (int i = 0; i < 6; i++) {
      f.answer(200, "l2", 0, 2_000);
    }
    f.answer(200, "miss", 0, 30_000);
    f.answer(200, "bypass", 0, 30_000);
    f.answer(200, null, 0, 30_000); // a service without the field
    f.answer(200, "miss", 0, 30_000);
    f.answer(429, null, 0, 500);
    f.answer(0, null, 0, 10_000_000); // no answer

    assertThat(f.answered()).isEqualTo(100);
    assertThat(f.failures()).isEqualTo(2);
    assertThat(f.failuresByStatus()).isEqualTo("none x1, 429 x1");
    assertThat(f.cacheShare()).isCloseTo(0.96, offset(1e-12));
    assertThat(f.share("l1")).isCloseTo(0.90, offset(1e-12));
    assertThat(f.share("l2")).isCloseTo(0.06, offset(1e-12));
    assertThat(f.share("miss")).isCloseTo(0.02, offset(1e-12));
    assertThat(f.share("bypass")).isCloseTo(0.01, offset(1e-12));
    assertThat(f.share("")).isCloseTo(0.01, offset(1e-12));
  }

  @Test
  void percentilesAreInMillisecondsAndCachedOnesLeaveMissesOut() {
    CacheFigures f = new CacheFigures(250);
    for (int ms = 1; ms <= 100; ms++) {
      f.answer(200, "l1", 0, ms * 1000L);
    }
    f.answer(200, "miss", 0, 900_000);
    // HdrHistogram with 3 significant digits: within 0.1 %
    assertThat(f.cachedMs(50)).isCloseTo(50, offset(0.1));
    assertThat(f.cachedMs(99)).isCloseTo(99, offset(0.1));
    assertThat(f.cachedMs(100)).isCloseTo(100, offset(0.1));
    assertThat(f.allMs(100)).isCloseTo(900, offset(1.0));
    assertThat(new CacheFigures(250).cachedMs(99)).isNaN();
  }

  @Test
  void staleAnswersPastTheBoundAreCounted() {
    CacheFigures f = new CacheFigures(250);
    f.answer(200, "l1", 0, 1_000);
    f.answer(200, "l1", 250, 1_000); // at the bound: allowed
    f.answer(200, "l2", 251, 1_000);
    f.answer(200, "l1", 4_000, 1_000);
    assertThat(f.pastBound()).isEqualTo(2);
    assertThat(f.maxStaleMs()).isEqualTo(4_000);
  }

  @Test
  void freshnessIsOverTheProbesSeen() {
    CacheFigures f = new CacheFigures(250);
    for (long ms = 100; ms <= 2_000; ms += 100) {
      f.probeSeen(ms);
    }
    f.probeUnseen();
    assertThat(f.probes()).isEqualTo(21);
    assertThat(f.probesUnseen()).isEqualTo(1);
    assertThat(f.freshnessMs(50)).isCloseTo(1_000, offset(1.0));
    assertThat(f.freshnessMs(95)).isCloseTo(1_900, offset(2.0));
  }

  @Test
  void machineBusyShareLeavesIdleAndIowaitOut() {
    long[] before = MachineCpu.parseMachine("cpu  100 0 50 800 50 0 0 0 0 0");
    long[] after = MachineCpu.parseMachine("cpu  250 0 100 900 50 0 0 0 0 0");
    assertThat(before).containsExactly(150, 1000);
    assertThat(MachineCpu.busyShare(before, after)).isCloseTo(200.0 / 300, offset(1e-12));
    assertThat(MachineCpu.busyShare(after, after)).isNaN();
  }
}
