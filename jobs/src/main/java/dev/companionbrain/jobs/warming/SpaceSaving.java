package dev.companionbrain.jobs.warming;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Space-Saving heavy-hitter sketch (Metwally, Agrawal, El Abbadi, 2005): at most {@code capacity}
 * counters; an item that is not counted while all counters are taken replaces the smallest one and
 * inherits its count (remembered as the item's error). Every item asked more than {@code N /
 * capacity} times out of N is counted, and a counted item's count is an upper bound of its true
 * count, at most its error too high.
 *
 * <p>The smallest counter is found by a scan, O(capacity), only when a new item meets a full sketch;
 * at a few hundred counters that is cheaper than keeping them ordered. Not thread-safe.
 */
final class SpaceSaving {
  /** One counted item: {@code count - error} is a lower bound of its true count. */
  record Counter(String item, long count, long error) {}

  /** Most counted first; ties by item, so the order is the same on every run. */
  static final Comparator<Counter> MOST_COUNTED_FIRST =
      Comparator.comparingLong(Counter::count).reversed().thenComparing(Counter::item);

  private final int capacity;
  /** item → {count, error} */
  private final Map<String, long[]> counters;

  SpaceSaving(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
    this.counters = new HashMap<>(capacity * 2);
  }

  int capacity() {
    return capacity;
  }

  int size() {
    return counters.size();
  }

  boolean isEmpty() {
    return counters.isEmpty();
  }

  /** Counts {@code item} {@code times} more. */
  void add(String item, long times) {
    add(item, times, 0);
  }

  private void add(String item, long times, long error) {
    long[] counter = counters.get(item);
    if (counter != null) {
      counter[0] += times;
      counter[1] += error;
      return;
    }
    if (counters.size() < capacity) {
      counters.put(item, new long[] {times, error});
      return;
    }
    String smallest = null;
    long min = Long.MAX_VALUE;
    for (Map.Entry<String, long[]> e : counters.entrySet()) {
      long c = e.getValue()[0];
      if (smallest == null || c < min || (c == min && e.getKey().compareTo(smallest) < 0)) {
        min = c;
        smallest = e.getKey();
      }
    }
    counters.remove(smallest);
    counters.put(item, new long[] {min + times, min + error});
  }

  /** The item's count, 0 when it is not counted. */
  long count(String item) {
    long[] counter = counters.get(item);
    return counter == null ? 0 : counter[0];
  }

  /** The {@code k} most counted items, most counted first. */
  List<Counter> top(int k) {
    return counters().stream().sorted(MOST_COUNTED_FIRST).limit(k).toList();
  }

  List<Counter> counters() {
    List<Counter> all = new ArrayList<>(counters.size());
    counters.forEach((item, c) -> all.add(new Counter(item, c[0], c[1])));
    return all;
  }

  /**
   * The sketch of the union of the streams {@code sketches} counted (a mergeable summary): counts and
   * errors add up per item, then the {@code capacity} largest counters are kept.
   */
  static SpaceSaving merge(int capacity, Collection<SpaceSaving> sketches) {
    Map<String, long[]> sums = new HashMap<>();
    for (SpaceSaving sketch : sketches) {
      sketch.counters.forEach((item, c) -> {
        long[] sum = sums.computeIfAbsent(item, i -> new long[2]);
        sum[0] += c[0];
        sum[1] += c[1];
      });
    }
    SpaceSaving merged = new SpaceSaving(capacity);
    sums.entrySet().stream()
        .map(e -> new Counter(e.getKey(), e.getValue()[0], e.getValue()[1]))
        .sorted(MOST_COUNTED_FIRST)
        .limit(capacity)
        .forEach(c -> merged.counters.put(c.item(), new long[] {c.count(), c.error()}));
    return merged;
  }

  void write(DataOutput out) throws IOException {
    out.writeInt(capacity);
    out.writeInt(counters.size());
    for (Map.Entry<String, long[]> e : counters.entrySet()) {
      Bytes.writeString(out, e.getKey());
      out.writeLong(e.getValue()[0]);
      out.writeLong(e.getValue()[1]);
    }
  }

  static SpaceSaving read(DataInput in) throws IOException {
    SpaceSaving sketch = new SpaceSaving(in.readInt());
    int size = in.readInt();
    for (int i = 0; i < size; i++) {
      sketch.counters.put(Bytes.readString(in), new long[] {in.readLong(), in.readLong()});
    }
    return sketch;
  }
}
