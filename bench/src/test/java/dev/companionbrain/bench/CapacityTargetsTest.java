package dev.companionbrain.bench;

import static dev.companionbrain.bench.CapacityFixtures.failing;
import static dev.companionbrain.bench.CapacityFixtures.passing;
import static dev.companionbrain.bench.CapacityFixtures.reference;
import static dev.companionbrain.bench.CapacityFixtures.refusals;
import static dev.companionbrain.bench.CapacityFixtures.step;
import static dev.companionbrain.bench.CapacityFixtures.withBreakers;
import static dev.companionbrain.bench.CapacityFixtures.withFailures;
import static dev.companionbrain.bench.CapacityFixtures.withFreshness;
import static dev.companionbrain.bench.CapacityFixtures.withKind;
import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.bench.CapacityStep.Freshness;
import dev.companionbrain.bench.CapacityStep.Kind;
import dev.companionbrain.bench.CapacityTargets.Verdict;
import dev.companionbrain.bench.CapacityTargets.Verdict.Outcome;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Issue #25's judging: a step against the seed's targets, a pass's knee, targets (1) and (2). */
class CapacityTargetsTest {

  @Test
  void aStepMeetsTheSeedsTargetsOnlyStrictlyUnderEachBound() {
    assertThat(CapacityTargets.misses(step(50, 1500, 1500, 199.9, 499.9))).isEmpty();
    assertThat(CapacityTargets.meets(step(50, 1500, 1500, 199.9, 499.9))).isTrue();
    assertThat(CapacityTargets.misses(step(50, 1500, 1500, 200, 499.9))).containsExactly("p95 200.0 ms >= 200 ms");
    assertThat(CapacityTargets.misses(step(50, 1500, 1500, 199.9, 500))).containsExactly("p99 500.0 ms >= 500 ms");
    assertThat(CapacityTargets.meets(step(50, 1500, 1500, 200, 499.9))).isFalse();
  }

  @Test
  void notAnswered200MustStayUnderATenthOfAPercentOfTheRequestsSent() {
    assertThat(CapacityTargets.misses(step(50, 1001, 1000, 50, 100))).isEmpty(); // 0.0999 %
    assertThat(CapacityTargets.misses(step(50, 1000, 999, 50, 100))).containsExactly("not 200 0.10 % >= 0.1 %");
    assertThat(CapacityTargets.misses(step(50, 1000, 990, 250, 600)))
        .containsExactly("not 200 1.00 % >= 0.1 %", "p95 250.0 ms >= 200 ms", "p99 600.0 ms >= 500 ms");
  }

  @Test
  void aStepWithNothingSentOrNothingAnsweredMisses() {
    assertThat(CapacityTargets.misses(step(50, 0, 0, Double.NaN, Double.NaN))).containsExactly("nothing sent");
    assertThat(CapacityTargets.misses(step(50, 1, 0, Double.NaN, Double.NaN)))
        .containsExactly("not 200 100.00 % >= 0.1 %", "no 200 answer");
  }

  @Test
  void theKneeIsTheHighestRateMeetingTheTargetsWithEveryLowerOne() {
    assertThat(CapacityTargets.knee(List.of(passing(10), passing(25), passing(50), failing(100), failing(200))))
        .map(CapacityStep::rate).contains(50.0);
    assertThat(CapacityTargets.knee(List.of(passing(10), passing(25), passing(50)))).map(CapacityStep::rate).contains(50.0);
    // a middle step missed: the higher rate that met them again is no knee
    assertThat(CapacityTargets.knee(List.of(passing(10), failing(25), passing(50), passing(100))))
        .map(CapacityStep::rate).contains(10.0);
    // the ladder's order does not matter: rates are taken ascending
    assertThat(CapacityTargets.knee(List.of(passing(50), passing(10), failing(25)))).map(CapacityStep::rate).contains(10.0);
  }

  @Test
  void noKneeWhenTheLowestRateMisses() {
    assertThat(CapacityTargets.knee(List.of(failing(10), passing(25), passing(50)))).isEmpty();
    assertThat(CapacityTargets.knee(List.of(failing(10), failing(25)))).isEmpty();
    assertThat(CapacityTargets.knee(List.of())).isEmpty();
  }

  @Test
  void targetOneIsMetAtFiftyFromFiftyClientsWithFreshnessWithinTwiceTheReference() {
    Verdict v = CapacityTargets.atTargetLoad(ingest(withFreshness(passing(50), new Freshness(900, 2000, 15, 15))), 50, 10);
    assertThat(v.outcome()).isEqualTo(Outcome.MET);
    assertThat(v.text()).isEqualTo("met (50 requests/s from 50 clients with 10 documents/s: not 200 0 of 1500, "
        + "p95 50.0 ms, p99 100.0 ms, no 503, freshness p95 2000.0 ms against 1000.0 ms with no search load)");
  }

  @Test
  void targetOneMissesFreshnessOverTwiceTheReferenceOrAProbeNeverSeen() {
    Verdict slow = CapacityTargets.atTargetLoad(ingest(withFreshness(passing(50), new Freshness(900, 2001, 15, 15))), 50, 10);
    assertThat(slow.outcome()).isEqualTo(Outcome.NOT_MET);
    assertThat(slow.detail()).endsWith("freshness p95 2001.0 ms against 1000.0 ms with no search load, over 2 ×");
    Verdict unseen = CapacityTargets.atTargetLoad(ingest(withFreshness(passing(50), new Freshness(900, 1000, 14, 15))), 50, 10);
    assertThat(unseen.outcome()).isEqualTo(Outcome.NOT_MET);
    assertThat(unseen.detail()).endsWith(": 1 of 15 probes not seen");
  }

  @Test
  void targetOneMissesAny503EvenUnderATenthOfAPercent() {
    CapacityStep s = withFreshness(step(50, 2000, 1999, 50, 100), new Freshness(900, 1000, 15, 15));
    Verdict v = CapacityTargets.atTargetLoad(ingest(withFailures(s, refusals(503, "backends_unavailable", 1), 0)), 50, 10);
    assertThat(v.outcome()).isEqualTo(Outcome.NOT_MET);
    assertThat(v.detail()).isEqualTo("50 requests/s from 50 clients with 10 documents/s: 503 backends_unavailable x1");
    Verdict slow = CapacityTargets.atTargetLoad(ingest(withFreshness(step(50, 1500, 1500, 200, 100),
        new Freshness(900, 1000, 15, 15))), 50, 10);
    assertThat(slow.detail()).endsWith(": p95 200.0 ms >= 200 ms");
  }

  @Test
  void targetOneIsNotMeasuredAwayFromItsLoad() {
    CapacityPass pass = ingest(withFreshness(passing(50), new Freshness(900, 1000, 15, 15)));
    assertThat(CapacityTargets.atTargetLoad(null, 50, 10).text()).isEqualTo("not measured (the ingest pass did not run)");
    assertThat(CapacityTargets.atTargetLoad(pass, 49, 10).outcome()).isEqualTo(Outcome.NOT_MEASURED);
    assertThat(CapacityTargets.atTargetLoad(pass, 50, 5).detail()).startsWith("--clients 50 --ingest-rate 5, the target is");
    assertThat(CapacityTargets.atTargetLoad(new CapacityPass(CapacityPass.Kind.INGEST, reference(1000, 15, 15),
        List.of(passing(25), passing(100)), null), 50, 10).text())
        .isEqualTo("not measured (no step at 50 requests/s in --rates)");
    Verdict noReference = CapacityTargets.atTargetLoad(new CapacityPass(CapacityPass.Kind.INGEST, reference(Double.NaN, 0, 15),
        List.of(withFreshness(passing(50), new Freshness(900, 1000, 15, 15))), null), 50, 10);
    assertThat(noReference.outcome()).isEqualTo(Outcome.NOT_MEASURED);
    assertThat(noReference.detail()).endsWith("no probe was seen with no search load");
    Verdict noProbe = CapacityTargets.atTargetLoad(ingest(passing(50)), 50, 10); // the step's freshness: none sent
    assertThat(noProbe.text()).isEqualTo("not measured (50 requests/s from 50 clients with 10 documents/s: the rest met, "
        + "but no probe was sent during the step)");
  }

  @Test
  void targetTwoIsMetWhenTheServiceRefusesWith429AndKeepsItsGoodput() {
    // knee 50 (answered 50/s); at 100/s: 1800 of 3000 answered (60/s), the rest 429 with Retry-After
    CapacityStep beyond = withKind(step(100, 3000, 1800, 400, 1000), Kind.BEYOND);
    Verdict v = CapacityTargets.beyondKnee(pass(beyond), 2);
    assertThat(v.outcome()).isEqualTo(Outcome.MET);
    assertThat(v.text()).isEqualTo("met (at 100 requests/s, 2 × the knee 50: answered 60.0/s (knee 50.0/s), "
        + "p99 1000.0 ms, 1200 refused, all 429 with Retry-After, no breaker opened)");
  }

  @Test
  void targetTwoMissesACollapseOrASlowP99() {
    Verdict collapse = CapacityTargets.beyondKnee(pass(withKind(step(100, 3000, 1499, 400, 900), Kind.BEYOND)), 2);
    assertThat(collapse.outcome()).isEqualTo(Outcome.NOT_MET);
    assertThat(collapse.detail()).isEqualTo("at 100 requests/s, 2 × the knee 50: answered 49.97/s < the knee's 50.00/s");
    assertThat(CapacityTargets.beyondKnee(pass(withKind(step(100, 3000, 1500, 400, 900), Kind.BEYOND)), 2).outcome())
        .isEqualTo(Outcome.MET);
    Verdict slow = CapacityTargets.beyondKnee(pass(withKind(step(100, 3000, 2000, 400, 1000.5), Kind.BEYOND)), 2);
    assertThat(slow.detail()).endsWith(": p99 1000.5 ms > 1000 ms");
  }

  @Test
  void targetTwoMissesRefusalsOtherThan429WithRetryAfter() {
    CapacityStep beyond = withKind(step(100, 3000, 2000, 400, 900), Kind.BEYOND);
    Verdict noRetryAfter = CapacityTargets.beyondKnee(pass(withFailures(beyond, refusals(429, "too_many_requests", 1000), 3)), 2);
    assertThat(noRetryAfter.outcome()).isEqualTo(Outcome.NOT_MET);
    assertThat(noRetryAfter.detail()).endsWith(": 3 429 without Retry-After");
    SortedMap<Integer, SortedMap<String, Long>> mixed = new TreeMap<>();
    mixed.put(0, new TreeMap<>(Map.of("", 2L)));
    mixed.put(429, new TreeMap<>(Map.of("too_many_requests", 990L)));
    mixed.put(503, new TreeMap<>(Map.of("backends_unavailable", 8L)));
    Verdict others = CapacityTargets.beyondKnee(pass(withFailures(beyond, mixed, 0)), 2);
    assertThat(others.detail()).endsWith(": refusals not 429: no answer (no code) x2, 503 backends_unavailable x8");
  }

  @Test
  void targetTwoMissesABreakerThatOpened() {
    CapacityStep beyond = withKind(step(100, 3000, 2000, 400, 900), Kind.BEYOND);
    Verdict opened = CapacityTargets.beyondKnee(pass(withBreakers(beyond, List.of("vector"), 0)), 2);
    assertThat(opened.outcome()).isEqualTo(Outcome.NOT_MET);
    assertThat(opened.detail()).endsWith(": breakers opened: vector");
    Verdict skipped = CapacityTargets.beyondKnee(pass(withBreakers(beyond, List.of(), 4)), 2);
    assertThat(skipped.detail()).endsWith(": 4 answers skipped a retriever for an open breaker");
  }

  @Test
  void targetTwoIsNotMeasuredWithoutAKneeAStepBeyondOrAtAnotherMultiple() {
    CapacityStep beyond = withKind(step(100, 3000, 2000, 400, 900), Kind.BEYOND);
    assertThat(CapacityTargets.beyondKnee(pass(beyond), 3).text())
        .isEqualTo("not measured (--beyond-knee 3, the target is at 2 × the knee)");
    assertThat(CapacityTargets.beyondKnee(new CapacityPass(CapacityPass.Kind.NONE, null, List.of(failing(10)), null), 2)
        .text()).isEqualTo("not measured (no knee: the lowest rate missed the seed's targets)");
    assertThat(CapacityTargets.beyondKnee(new CapacityPass(CapacityPass.Kind.NONE, null, List.of(passing(10)), null), 2)
        .text()).isEqualTo("not measured (no step beyond the knee ran)");
  }

  @Test
  void failuresReadByStatusThenCode() {
    SortedMap<Integer, SortedMap<String, Long>> failures = new TreeMap<>();
    failures.put(503, new TreeMap<>(Map.of("backends_unavailable", 3L, "", 1L)));
    failures.put(0, new TreeMap<>(Map.of("", 2L)));
    failures.put(429, new TreeMap<>(Map.of("too_many_requests", 12L)));
    assertThat(CapacityTargets.failures(failures))
        .isEqualTo("no answer x2, 429 too_many_requests x12, 503 (no code) x1, backends_unavailable x3");
  }

  /** The ingest pass: the reference step with freshness p95 1000 ms, the ladder 25, {@code at50}, 100. */
  private static CapacityPass ingest(CapacityStep at50) {
    return new CapacityPass(CapacityPass.Kind.INGEST, reference(1000, 15, 15), List.of(passing(25), at50, failing(100)),
        null);
  }

  /** The pass without ingestion whose knee is 50 (answered 50/s), and {@code beyond}. */
  private static CapacityPass pass(CapacityStep beyond) {
    return new CapacityPass(CapacityPass.Kind.NONE, null, List.of(passing(10), passing(25), passing(50), failing(100)),
        beyond);
  }
}
