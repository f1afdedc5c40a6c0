package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The last minutes' searches, counted in 10 s buckets of a 15 min ring, with a clock moved by hand. */
class RecentAnswersTest {
  private static final long MS = 1_000_000;
  /** 10:00:00.000 on some day: a bucket's start. */
  private final AtomicLong now = new AtomicLong(1_764_669_600_000L);
  private final RecentAnswers answers = new RecentAnswers(now::get);

  @Test
  void aSummaryCountsEachSourceAndStatusAndTheCacheShareOfTheAnswered() {
    answers.record("l1", 200, 2 * MS);
    answers.record("l1", 200, 2 * MS);
    answers.record("l2", 200, 3 * MS);
    answers.record("miss", 200, 40 * MS);
    answers.record("bypass", 200, 50 * MS);
    answers.record("none", 429, MS);
    answers.record("none", 400, MS);
    RecentAnswers.Summary s = answers.over(60_000);
    assertThat(s.answers()).isEqualTo(7);
    assertThat(s.statuses()).containsExactly(Map.entry(200, 5L), Map.entry(400, 1L), Map.entry(429, 1L));
    assertThat(s.sources()).containsExactly(Map.entry("l1", 2L), Map.entry("l2", 1L), Map.entry("miss", 1L), Map.entry("bypass", 1L));
    assertThat(s.cacheShare()).isEqualTo(0.6);
  }

  @Test
  void percentilesAreOfTheAnsweredSearchesOnlyInMilliseconds() {
    for (int i = 1; i <= 100; i++) {
      answers.record("miss", 200, i * MS);
    }
    answers.record("none", 503, 10_000 * MS); // a refused or failed search is not an answer's latency
    RecentAnswers.Summary s = answers.over(60_000);
    assertThat(s.p50Ms()).isCloseTo(50, within(1.0));
    assertThat(s.p95Ms()).isCloseTo(95, within(1.0));
    assertThat(s.p99Ms()).isCloseTo(99, within(1.0));
  }

  @Test
  void aLatencyBeyondAMinuteCountsAsAMinuteAndANegativeOneAsZero() {
    answers.record("miss", 200, 3_600_000 * MS);
    assertThat(answers.over(10_000).p99Ms()).isCloseTo(60_000, within(600.0));
    RecentAnswers other = new RecentAnswers(now::get);
    other.record("miss", 200, -5);
    assertThat(other.over(10_000).p50Ms()).isZero();
  }

  @Test
  void withNothingAnsweredTheShareAndPercentilesAreUnknown() {
    RecentAnswers.Summary empty = answers.over(60_000);
    assertThat(empty.answers()).isZero();
    assertThat(empty.cacheShare()).isNull();
    assertThat(empty.p50Ms()).isNull();
    assertThat(empty.sources()).containsOnlyKeys("l1", "l2", "miss", "bypass").allSatisfy((k, v) -> assertThat(v).isZero());
    answers.record("none", 429, MS);
    RecentAnswers.Summary refused = answers.over(60_000);
    assertThat(refused.answers()).isEqualTo(1);
    assertThat(refused.cacheShare()).isNull();
    assertThat(refused.p95Ms()).isNull();
  }

  @Test
  void anAnswerOfAnUnknownSourceCountsInItsStatusAndLatencyButNoSource() {
    answers.record("elsewhere", 200, 5 * MS);
    RecentAnswers.Summary s = answers.over(60_000);
    assertThat(s.statuses()).containsExactly(Map.entry(200, 1L));
    assertThat(s.sources().values()).allSatisfy(v -> assertThat(v).isZero());
    assertThat(s.cacheShare()).isNull();
    assertThat(s.p50Ms()).isCloseTo(5, within(0.1));
  }

  @Test
  void aSpanCoversTheCurrentBucketAndTheWholeOnesBeforeIt() {
    answers.record("l1", 200, MS);            // bucket 0
    now.addAndGet(10_000);
    answers.record("miss", 200, MS);          // bucket 1
    now.addAndGet(9_999);                     // still bucket 1
    assertThat(answers.over(10_000).answers()).as("the current bucket only").isEqualTo(1);
    assertThat(answers.over(10_001).answers()).as("rounded up to two buckets").isEqualTo(2);
    assertThat(answers.over(20_000).answers()).isEqualTo(2);
    now.addAndGet(1);                         // bucket 2: nothing yet
    assertThat(answers.over(10_000).answers()).isZero();
    assertThat(answers.over(20_000).answers()).isEqualTo(1);
    assertThat(answers.over(30_000).sources()).containsEntry("l1", 1L).containsEntry("miss", 1L);
  }

  @Test
  void aBucketReusedByTheRingForgetsTheOlderSpanAndAnOldBucketIsNotCounted() {
    answers.record("l1", 200, MS);
    now.addAndGet(RecentAnswers.SPAN_MILLIS); // the same slot of the ring, 15 minutes later
    assertThat(answers.over(RecentAnswers.SPAN_MILLIS).answers()).as("15 minutes ago is outside the span").isZero();
    answers.record("l2", 200, 50 * MS);
    RecentAnswers.Summary s = answers.over(RecentAnswers.SPAN_MILLIS);
    assertThat(s.answers()).isEqualTo(1);
    assertThat(s.p50Ms()).as("the older span's latency is gone").isCloseTo(50, within(1.0));
    assertThat(s.sources()).containsEntry("l1", 0L).containsEntry("l2", 1L);
    assertThat(s.cacheShare()).isEqualTo(1.0);
  }

  @Test
  void theWholeSpanIsFifteenMinutesAndASpanOutsideItIsRefused() {
    answers.record("l1", 200, MS);
    now.addAndGet(RecentAnswers.SPAN_MILLIS - 1);
    assertThat(answers.over(RecentAnswers.SPAN_MILLIS).answers()).isEqualTo(1);
    assertThatThrownBy(() -> answers.over(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not 0");
    assertThatThrownBy(() -> answers.over(RecentAnswers.SPAN_MILLIS + 1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(answers.over(1).answers()).isZero();
  }

  @Test
  void timeBeforeTheEpochStillFindsItsBucket() {
    now.set(-15_000);
    answers.record("l1", 200, MS);
    assertThat(answers.over(10_000).answers()).isEqualTo(1);
    now.set(-5_000);
    assertThat(answers.over(10_000).answers()).isZero();
    assertThat(answers.over(20_000).answers()).isEqualTo(1);
  }

  @Test
  void searchesCountedFromManyThreadsAtOnceAreAllCounted() throws Exception {
    int threads = 4;
    int each = 20_000;
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    java.util.List<Thread> running = new java.util.ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String source = t % 2 == 0 ? "l1" : "miss";
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < each; i++) {
          answers.record(source, 200, MS);
        }
      });
      thread.start();
      running.add(thread);
    }
    start.countDown();
    for (Thread thread : running) {
      thread.join();
    }
    RecentAnswers.Summary s = answers.over(60_000);
    assertThat(s.answers()).isEqualTo((long) threads * each);
    assertThat(s.sources()).containsEntry("l1", 2L * each).containsEntry("miss", 2L * each);
    assertThat(s.cacheShare()).isEqualTo(0.5);
    assertThat(s.p99Ms()).isCloseTo(1, within(0.01));
  }
}
