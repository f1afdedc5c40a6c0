package dev.companionbrain.jobs.warming;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Counts slide with the items' own timestamps, in whole buckets. */
class SlidingTopKTest {
  private static final long T0 = 1_795_000_000_000L; // a multiple of 10 s

  private static void ask(SlidingTopK topK, String item, int times, long at) {
    for (int i = 0; i < times; i++) {
      topK.add(item, "{" + item + "}", at);
    }
  }

  @Test
  void theMostAskedOfTheWindowComeFirst() {
    SlidingTopK topK = new SlidingTopK(16, 10_000, 60_000);
    ask(topK, "a", 2, T0);
    ask(topK, "b", 5, T0 + 12_000);
    ask(topK, "a", 2, T0 + 25_000);
    ask(topK, "c", 1, T0 + 31_000);

    assertThat(topK.top(2)).extracting(SpaceSaving.Counter::item, SpaceSaving.Counter::count)
        .containsExactly(org.assertj.core.api.Assertions.tuple("b", 5L), org.assertj.core.api.Assertions.tuple("a", 4L));
    assertThat(topK.payload("a")).isEqualTo("{a}");
  }

  @Test
  void aBucketFallsOutOnceAllOfItIsOlderThanTheWindow() {
    SlidingTopK topK = new SlidingTopK(16, 10_000, 30_000);
    ask(topK, "old", 9, T0 + 9_000);
    ask(topK, "new", 1, T0 + 38_000);
    assertThat(topK.top(5)).extracting(SpaceSaving.Counter::item).containsExactly("old", "new");

    topK.advanceTo(T0 + 39_998); // window (T0 + 9,998, T0 + 39,998]: the bucket [T0, T0 + 10 s) still has a ms in it
    assertThat(topK.top(5)).extracting(SpaceSaving.Counter::item).containsExactly("old", "new");

    ask(topK, "new", 1, T0 + 40_000); // window (T0 + 10 s, T0 + 40 s]: none of that bucket
    assertThat(topK.top(5)).extracting(SpaceSaving.Counter::item).containsExactly("new");
    assertThat(topK.payload("old")).as("payloads of items no longer counted are dropped").isNull();
    assertThat(topK.buckets()).isEqualTo(2);
  }

  @Test
  void anOccurrenceOlderThanTheWindowIsIgnoredAndLateOnesInsideItCount() {
    SlidingTopK topK = new SlidingTopK(16, 10_000, 30_000);
    ask(topK, "x", 1, T0 + 100_000);
    ask(topK, "late", 3, T0 + 75_000);
    ask(topK, "too late", 3, T0 + 70_000);

    assertThat(topK.top(5)).extracting(SpaceSaving.Counter::item).containsExactly("late", "x");
    assertThat(topK.now()).isEqualTo(T0 + 100_000);
  }

  @Test
  void theStateSurvivesARestartAndANewBucketSize() throws IOException {
    SlidingTopK topK = new SlidingTopK(16, 10_000, 60_000);
    ask(topK, "a", 3, T0 + 1_000);
    ask(topK, "b", 2, T0 + 15_000);

    SlidingTopK same = SlidingTopK.fromBytes(topK.toBytes(), 16, 10_000, 60_000);
    SlidingTopK coarser = SlidingTopK.fromBytes(topK.toBytes(), 16, 30_000, 60_000);

    assertThat(same.top(5)).isEqualTo(topK.top(5));
    assertThat(same.now()).isEqualTo(topK.now());
    assertThat(same.payload("b")).isEqualTo("{b}");
    assertThat(coarser.buckets()).isEqualTo(1);
    assertThat(coarser.top(5)).isEqualTo(topK.top(5));
  }
}
