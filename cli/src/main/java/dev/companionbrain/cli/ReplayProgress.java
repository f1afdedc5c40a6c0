package dev.companionbrain.cli;

import java.util.Map;

/**
 * How far a replay of the documents topic is, per partition: the end offsets taken when it started
 * (what it must read to have seen every document then), its consumer group's committed offsets (the
 * job commits them at each checkpoint, once the documents before them are in both engines) and the
 * end offsets now.
 *
 * @param target the end offsets when the replay started, by partition
 * @param committed the replay's committed offsets, by partition (a partition missing: nothing yet)
 * @param latest the end offsets now, by partition
 */
record ReplayProgress(Map<Integer, Long> target, Map<Integer, Long> committed, Map<Integer, Long> latest) {
  ReplayProgress {
    target = Map.copyOf(target);
    committed = Map.copyOf(committed);
    latest = Map.copyOf(latest);
  }

  /** Records of the target read so far (committed, each partition at most its target). */
  long replayed() {
    long sum = 0;
    for (Map.Entry<Integer, Long> t : target.entrySet()) {
      sum += Math.min(t.getValue(), committed.getOrDefault(t.getKey(), 0L));
    }
    return sum;
  }

  /** Records up to the target. */
  long total() {
    return target.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Records not committed yet, now, over every partition (the lag). */
  long lag() {
    long sum = 0;
    for (Map.Entry<Integer, Long> l : latest.entrySet()) {
      sum += Math.max(0, l.getValue() - committed.getOrDefault(l.getKey(), 0L));
    }
    return sum;
  }

  /**
   * Whether the replay has caught up: past the target on every partition, and keeping up (a lag of at
   * most {@code keepingUp} records, what arrives between two of its checkpoints).
   */
  boolean caughtUp(long keepingUp) {
    for (Map.Entry<Integer, Long> t : target.entrySet()) {
      if (committed.getOrDefault(t.getKey(), 0L) < t.getValue()) {
        return false;
      }
    }
    return lag() <= keepingUp;
  }
}
