package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.companionbrain.core.search.FusionMethod;
import dev.companionbrain.core.search.SearchMode;
import dev.companionbrain.core.search.Weights;
import dev.companionbrain.core.search.WindowQuery;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The audit of cached answers with its randomness, generations, fresh computation and thread in the test's hands. */
class CacheAuditTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong generation = new AtomicLong(4);
  private final Queue<Runnable> queued = new ArrayDeque<>();
  private final AtomicInteger computed = new AtomicInteger();
  private volatile List<String> freshIds = ids(12);
  private volatile Runnable duringCompute = () -> {};
  private final WindowCache.WindowSearch search = (q, g, fresh) -> {
    computed.incrementAndGet();
    duringCompute.run();
    return window(g, freshIds);
  };
  private final WindowQuery query = new WindowQuery("q", SearchMode.HYBRID, List.of(), FusionMethod.RRF,
      Weights.parse("text:1,keyword:1,vector:1"), 100);

  private static List<String> ids(int n) {
    return IntStream.range(0, n).mapToObj(i -> "d" + i).toList();
  }

  private static CandidateWindow window(long g, List<String> ids) {
    return new CandidateWindow(g, ids.stream().map(id -> new PageHit(id, 1, null, null, null, null, null, null)).toList(),
        List.of(), Map.of());
  }

  private final AtomicLong millis = new AtomicLong(1_000);
  private final Map<Long, GenerationChanges> listed = new java.util.HashMap<>();

  /** What generations after {@code from} up to {@code to} changed, from {@link #listed}. */
  private java.util.Optional<GenerationChanges> changes(long from, long to) {
    GenerationChanges all = GenerationChanges.NONE;
    for (long g = from + 1; g <= to; g++) {
      if (!listed.containsKey(g)) {
        return java.util.Optional.empty();
      }
      all = all.then(listed.get(g));
    }
    return java.util.Optional.of(all);
  }

  /** So many audits a second that none waits for another (the clock here moves by whole ms). */
  private static final int UNBOUNDED = 1_000_000;

  private CacheAudit audit(double rate, double draw) {
    return new CacheAudit(rate, UNBOUNDED, () -> draw, generation::get, this::changes, millis::get, search, queued::add, registry);
  }

  /** No newer generation comes: the audits are compared as they are once they waited long enough. */
  private void settleAlone(CacheAudit audit) {
    millis.addAndGet(CacheAudit.SETTLE_MILLIS);
    audit.settle(generation.get());
  }

  private double count(String result) {
    return registry.get("brain_cache_audits").tag("result", result).counter().count();
  }

  private void runQueued() {
    while (!queued.isEmpty()) {
      queued.poll().run();
    }
  }

  @Test
  void aSampledAnswerIsComparedByItsTopTenIdsAsASet() {
    CacheAudit audit = audit(0.1, 0.05);
    audit.sample(query, window(4, ids(12)));
    runQueued();
    assertThat(count("same")).isZero(); // not before it settled
    millis.addAndGet(CacheAudit.SETTLE_MILLIS - 1);
    audit.settle(4);
    assertThat(count("same")).isZero();
    millis.addAndGet(1);
    audit.settle(4);
    assertThat(count("same")).isEqualTo(1);
    // the same ten in another order, and a different 11th: the same top-10
    List<String> shuffled = new java.util.ArrayList<>(ids(10));
    java.util.Collections.reverse(shuffled);
    shuffled.add("other");
    freshIds = shuffled;
    audit.sample(query, window(4, ids(12)));
    runQueued();
    settleAlone(audit);
    assertThat(count("same")).isEqualTo(2);
    freshIds = List.of("d0", "d1", "x", "y", "d4", "d5", "d6", "d7", "d8", "d9");
    audit.sample(query, window(4, ids(12)));
    runQueued();
    settleAlone(audit);
    assertThat(count("differ")).isEqualTo(1);
    var overlap = registry.get("brain_cache_audit_top10_overlap").summary();
    assertThat(overlap.count()).isEqualTo(3);
    assertThat(overlap.totalAmount()).isCloseTo(1 + 1 + 0.8, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void documentsTheNextGenerationsChangedAreLeftOutOfTheComparison() {
    CacheAudit audit = audit(1, 0);
    // the engine already shows x (written in generation 5) and no longer d3 (deleted in 6)
    freshIds = List.of("d0", "x", "d1", "d2", "d4", "d5", "d6", "d7", "d8", "d9", "d10");
    audit.sample(query, window(4, ids(12)));
    runQueued();
    generation.set(5);
    listed.put(5L, GenerationChanges.of(List.of("x"), List.of()));
    audit.settle(5);
    assertThat(count("same") + count("differ")).isZero(); // two generations ahead are needed
    generation.set(6);
    listed.put(6L, GenerationChanges.of(List.of(), List.of("d3")));
    audit.settle(6);
    assertThat(count("same")).isEqualTo(1);
    assertThat(registry.get("brain_cache_audit_top10_overlap").summary().totalAmount()).isEqualTo(1.0);
    // without the changes listed, it cannot be compared
    audit.sample(query, window(6, ids(12)));
    runQueued();
    generation.set(8);
    audit.settle(8);
    assertThat(count("skipped")).isEqualTo(1);
    assertThat(count("same")).isEqualTo(1);
  }

  @Test
  void auditsWaitingBeyondTheBoundAreSkipped() {
    CacheAudit audit = audit(1, 0);
    for (int i = 0; i < CacheAudit.MAX_PENDING; i++) {
      audit.audit(query, window(4, ids(3)));
    }
    audit.sample(query, window(4, ids(3)));
    assertThat(queued).isEmpty();
    assertThat(count("skipped")).isEqualTo(1);
    settleAlone(audit);
    assertThat(count("same") + count("differ")).isEqualTo(CacheAudit.MAX_PENDING);
  }

  @Test
  void onlyTheSampledShareIsAudited() {
    audit(0.1, 0.1).sample(query, window(4, ids(3)));
    audit(0, 0.0).sample(query, window(4, ids(3)));
    assertThat(queued).isEmpty();
    audit(1, 0.999).sample(query, window(4, ids(3)));
    assertThat(queued).hasSize(1);
  }

  @Test
  void anAnswerOfAnotherGenerationThanTheNewestIsSkipped() {
    CacheAudit audit = audit(1, 0);
    audit.audit(query, window(3, ids(3)));
    assertThat(computed).hasValue(0);
    assertThat(count("skipped")).isEqualTo(1);
    assertThat(count("same") + count("differ")).isZero();
  }

  @Test
  void aFailedOrDegradedFreshComputationIsSkipped() {
    CacheAudit failing = new CacheAudit(1, UNBOUNDED, () -> 0, generation::get, this::changes, millis::get, (q, g, f) -> {
      throw new IllegalStateException("down");
    }, Runnable::run, registry);
    failing.sample(query, window(4, ids(3)));
    CacheAudit degraded = new CacheAudit(1, UNBOUNDED, () -> 0, generation::get, this::changes, millis::get, (q, g, f) -> new CandidateWindow(g, List.of(),
        List.of(new CandidateWindow.Degradation("text", "timeout")), Map.of()), Runnable::run, registry);
    degraded.sample(query, window(4, ids(3)));
    CacheAudit full = new CacheAudit(1, UNBOUNDED, () -> 0, generation::get, this::changes, millis::get, search, r -> {
      throw new RejectedExecutionException("busy");
    }, registry);
    full.sample(query, window(4, ids(3)));
    assertThat(count("skipped")).isEqualTo(3);
  }

  @Test
  void overlapIsTheCommonShareOfTheLongerList() {
    assertThat(CacheAudit.overlap(List.of(), List.of())).isEqualTo(1);
    assertThat(CacheAudit.overlap(List.of("a", "b"), List.of("b"))).isEqualTo(0.5);
    assertThat(CacheAudit.overlap(List.of("a"), List.of("b", "a", "c", "d"))).isEqualTo(0.25);
  }

  @Test
  void aRateOutsideZeroToOneIsRefused() {
    assertThatThrownBy(() -> audit(1.5, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.5");
    assertThatThrownBy(() -> audit(Double.NaN, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> audit(-0.1, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void atMostTheGivenAuditsStartEachSecondWhateverTheRateSamples() {
    CacheAudit twice = new CacheAudit(1, 2, () -> 0, generation::get, this::changes, millis::get, search, queued::add,
        registry);
    CandidateWindow cached = window(4, ids(3));
    for (int i = 0; i < 10; i++) {
      twice.sample(query, cached);
    }
    assertThat(queued).as("one until 500 ms have passed").hasSize(1);
    millis.addAndGet(499);
    twice.sample(query, cached);
    assertThat(queued).hasSize(1);
    millis.addAndGet(1);
    twice.sample(query, cached);
    twice.sample(query, cached);
    assertThat(queued).hasSize(2);
    millis.addAndGet(10_000);
    twice.sample(query, cached);
    assertThat(queued).as("no credit saved up while nothing was sampled").hasSize(3);
    twice.sample(query, cached);
    assertThat(queued).hasSize(3);
    assertThat(registry.get("brain_cache_audits").tag("result", "skipped").counter().count())
        .as("a sample the bound leaves out is not an audit skipped").isZero();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CacheAudit(1, 0, () -> 0, generation::get, this::changes,
        millis::get, search, queued::add, registry)).isInstanceOf(IllegalArgumentException.class);
    CacheAudit once = new CacheAudit(1, 1, () -> 0, generation::get, this::changes, millis::get, search, queued::add, registry);
    once.sample(query, cached);
    millis.addAndGet(999);
    once.sample(query, cached);
    assertThat(queued).as("one a second is the least bound").hasSize(4);
  }
}
