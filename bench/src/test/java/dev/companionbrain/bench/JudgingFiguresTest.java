package dev.companionbrain.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;

/** The service's counters read from two scrapes of /metrics, and the per-generation arithmetic of the report. */
class JudgingFiguresTest {
  private static final String BEFORE = """
      # HELP brain_cache_judged_windows_total windows judged at new generations
      # TYPE brain_cache_judged_windows_total counter
      brain_cache_judged_windows_total{result="carried"} 100.0
      brain_cache_judged_windows_total{result="patched"} 10.0
      brain_cache_judged_windows_total{result="recompute"} 2.0
      brain_cache_judged_generations_total{result="judged"} 5.0
      brain_cache_judged_generations_total{result="fallback"} 0.0
      brain_cache_judging_seconds_count 5.0
      brain_cache_judging_seconds_sum 0.05
      brain_cache_judging_seconds_max 0.02
      brain_cache_judging_cpu_seconds_total 0.04
      brain_cache_audits_total{result="same"} 3.0
      brain_cache_audits_total{result="differ"} 0.0
      brain_cache_audits_total{result="skipped"} 1.0
      brain_cache_audit_top10_overlap_count 3.0
      brain_cache_audit_top10_overlap_sum 3.0
      brain_cache_refreshes_total{level="l1",result="computed"} 4.0
      brain_cache_refreshes_total{level="l2",result="computed"} 6.0
      brain_cache_refreshes_total{level="l2",result="claimed_elsewhere"} 9.0
      brain_cache_requests_total{level="l2",result="miss"} 20.0
      brain_cache_requests_total{level="l1",result="miss"} 50.0
      brain_cache_warmed_total{result="computed"} 30.0
      """;
  private static final String AFTER = """
      brain_cache_judged_windows_total{result="carried"} 1100.0
      brain_cache_judged_windows_total{result="patched"} 60.0
      brain_cache_judged_windows_total{result="recompute"} 12.0
      brain_cache_judged_generations_total{result="judged"} 14.0
      brain_cache_judged_generations_total{result="fallback"} 1.0
      brain_cache_judging_seconds_count 14.0
      brain_cache_judging_seconds_sum 0.14
      brain_cache_judging_cpu_seconds_total 0.24
      brain_cache_audits_total{result="same"} 98.0
      brain_cache_audits_total{result="differ"} 5.0
      brain_cache_audits_total{result="skipped"} 1.0
      brain_cache_audit_top10_overlap_count 103.0
      brain_cache_audit_top10_overlap_sum 101.0
      brain_cache_refreshes_total{level="l1",result="computed"} 14.0
      brain_cache_refreshes_total{level="l2",result="computed"} 16.0
      brain_cache_refreshes_total{level="l2",result="claimed_elsewhere"} 90.0
      brain_cache_requests_total{level="l2",result="miss"} 25.0
      brain_cache_requests_total{level="l1",result="miss"} 500.0
      brain_cache_warmed_total{result="computed"} 130.0
      """;

  @Test
  void samplesAreSummedOverTheLabelSetsAsked() {
    PrometheusText t = PrometheusText.parse(BEFORE);
    assertThat(t.sum("brain_cache_refreshes_total", "result", "computed")).isEqualTo(10.0);
    assertThat(t.sum("brain_cache_refreshes_total")).isEqualTo(19.0);
    assertThat(t.sum("brain_cache_requests_total", "level", "l2", "result", "miss")).isEqualTo(20.0);
    assertThat(t.sum("brain_cache_judging_seconds_sum")).isEqualTo(0.05);
    assertThat(t.sum("brain_cache_judging_seconds")).as("a prefix is another metric").isZero();
    assertThat(t.sum("no_such_metric")).isZero();
  }

  @Test
  void labelValuesMayHoldCommasBracesAndEscapedQuotesAndTimestampsAreIgnored() {
    PrometheusText t = PrometheusText.parse("""
        m{a="x,y}",b="say \\"hi\\""} 2 1764238000000
        m{a="z"} 3
        m 4
        not a sample
        m{a="unterminated} 5
        """);
    assertThat(t.sum("m", "a", "x,y}")).isEqualTo(2.0);
    assertThat(t.sum("m", "b", "say \"hi\"")).isEqualTo(2.0);
    assertThat(t.sum("m")).isEqualTo(9.0);
    assertThat(PrometheusText.empty().sum("m")).isZero();
  }

  @Test
  void perGenerationFiguresDivideWhatHappenedBetweenTheScrapesByTheGenerations() {
    JudgingFigures f = JudgingFigures.between(PrometheusText.parse(BEFORE), PrometheusText.parse(AFTER), 10);
    assertThat(f.judging()).isTrue();
    assertThat(f.judged()).isEqualTo(9.0);
    assertThat(f.fallback()).isEqualTo(1.0);
    assertThat(f.perGeneration(f.carried())).isEqualTo(100.0);
    assertThat(f.perGeneration(f.patched())).isEqualTo(5.0);
    assertThat(f.perGeneration(f.recompute())).isEqualTo(1.0);
    assertThat(f.perGeneration(f.recomputed())).as("refreshes computed, both levels").isEqualTo(2.0);
    assertThat(f.computed()).as("l2 misses + refreshes + warmed").isEqualTo(5 + 20 + 100);
    assertThat(f.judgingCpuMsPerGeneration()).isCloseTo(20.0, offset(1e-9));
    assertThat(f.judgingWallMsPerJudged()).isCloseTo(10.0, offset(1e-9));
    assertThat(f.differShare()).isCloseTo(5.0 / 100, offset(1e-12));
    assertThat(f.meanOverlap()).isCloseTo(98.0 / 100, offset(1e-12));
  }

  @Test
  void withoutGenerationsOrAuditsTheFiguresAreNotNumbersAndAServiceWithoutJudgingSaysSo() {
    PrometheusText today = PrometheusText.parse("brain_cache_refreshes_total{level=\"l1\",result=\"computed\"} 7\n");
    JudgingFigures f = JudgingFigures.between(PrometheusText.empty(), today, 0);
    assertThat(f.judging()).isFalse();
    assertThat(f.recomputed()).isEqualTo(7.0);
    assertThat(f.perGeneration(f.recomputed())).isNaN();
    assertThat(f.judgingCpuMsPerGeneration()).isNaN();
    assertThat(f.judgingWallMsPerJudged()).isNaN();
    assertThat(f.differShare()).isNaN();
    assertThat(f.meanOverlap()).isNaN();
  }
}
