package dev.companionbrain.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplayProgressTest {
  @Test
  void aReplayCountsWhatItCommittedUpToItsTargetOnEachPartition() {
    ReplayProgress p = new ReplayProgress(Map.of(0, 100L, 1, 50L), Map.of(0, 40L, 1, 70L), Map.of(0, 120L, 1, 70L));
    assertThat(p.replayed()).isEqualTo(40 + 50);
    assertThat(p.total()).isEqualTo(150);
    assertThat(p.lag()).isEqualTo(80);
    assertThat(p.caughtUp(1_000)).as("partition 0 is short of its target").isFalse();
  }

  @Test
  void aPartitionWithNothingCommittedHasReplayedNothingAndLagsByAll() {
    ReplayProgress p = new ReplayProgress(Map.of(0, 10L), Map.of(), Map.of(0, 12L));
    assertThat(p.replayed()).isZero();
    assertThat(p.lag()).isEqualTo(12);
    assertThat(p.caughtUp(100)).isFalse();
  }

  @Test
  void caughtUpIsPastTheTargetEverywhereAndKeepingUp() {
    ReplayProgress p = new ReplayProgress(Map.of(0, 10L, 1, 5L), Map.of(0, 10L, 1, 6L), Map.of(0, 13L, 1, 6L));
    assertThat(p.caughtUp(3)).isTrue();
    assertThat(p.caughtUp(2)).as("3 records behind now").isFalse();
    assertThat(new ReplayProgress(Map.of(), Map.of(), Map.of()).caughtUp(0)).as("an empty topic").isTrue();
    assertThat(new ReplayProgress(Map.of(0, 0L), Map.of(), Map.of(0, 0L)).caughtUp(0)).isTrue();
  }

  @Test
  void aReplaysGroupIsTheLiveGroupsBaseNameAndItsVersion() {
    assertThat(Reindex.replayGroup("brain-indexing", 2)).isEqualTo("brain-indexing-v2");
    assertThat(Reindex.replayGroup("brain-indexing-v2", 3)).isEqualTo("brain-indexing-v3");
    assertThat(Reindex.replayGroup("brain-v2-indexing", 3)).isEqualTo("brain-v2-indexing-v3");
  }
}
