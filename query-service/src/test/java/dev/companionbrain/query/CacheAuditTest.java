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

  private CacheAudit audit(double rate, double draw) {
    return new CacheAudit(rate, () -> draw, generation::get, search, queued::add, registry);
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
    assertThat(count("same")).isEqualTo(1);
    // the same ten in another order, and a different 11th: the same top-10
    List<String> shuffled = new java.util.ArrayList<>(ids(10));
    java.util.Collections.reverse(shuffled);
    shuffled.add("other");
    freshIds = shuffled;
    audit.sample(query, window(4, ids(12)));
    runQueued();
    assertThat(count("same")).isEqualTo(2);
    freshIds = List.of("d0", "d1", "x", "y", "d4", "d5", "d6", "d7", "d8", "d9");
    audit.sample(query, window(4, ids(12)));
    runQueued();
    assertThat(count("differ")).isEqualTo(1);
    var overlap = registry.get("brain_cache_audit_top10_overlap").summary();
    assertThat(overlap.count()).isEqualTo(3);
    assertThat(overlap.totalAmount()).isCloseTo(1 + 1 + 0.8, org.assertj.core.data.Offset.offset(1e-9));
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
    duringCompute = () -> generation.set(5);
    audit.audit(query, window(4, ids(3)));
    assertThat(computed).hasValue(1);
    assertThat(count("skipped")).isEqualTo(2);
    assertThat(count("same") + count("differ")).isZero();
  }

  @Test
  void aFailedOrDegradedFreshComputationIsSkipped() {
    CacheAudit failing = new CacheAudit(1, () -> 0, generation::get, (q, g, f) -> {
      throw new IllegalStateException("down");
    }, Runnable::run, registry);
    failing.sample(query, window(4, ids(3)));
    CacheAudit degraded = new CacheAudit(1, () -> 0, generation::get, (q, g, f) -> new CandidateWindow(g, List.of(),
        List.of(new CandidateWindow.Degradation("text", "timeout")), Map.of()), Runnable::run, registry);
    degraded.sample(query, window(4, ids(3)));
    CacheAudit full = new CacheAudit(1, () -> 0, generation::get, search, r -> {
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
}
