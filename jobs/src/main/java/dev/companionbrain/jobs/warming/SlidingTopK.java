package dev.companionbrain.jobs.warming;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The most asked items of the last {@code window} of event time: one {@link SpaceSaving} sketch per
 * time bucket, merged when asked. A bucket is dropped once all of it is older than the window, so the
 * counts slide by whole buckets. Time is the items' own timestamps: "now" is the latest timestamp
 * seen, so a replay after a restart counts exactly as the first run did, and tests need no clock.
 * Each item carries a payload (the latest seen), kept while the item is in some bucket.
 *
 * <p>{@link #toBytes()}/{@link #fromBytes} are the job's checkpointed state. Not thread-safe.
 */
final class SlidingTopK {
  private static final int FORMAT = 1;

  private final int capacity;
  private final long bucketMillis;
  private final long windowMillis;
  /** bucket start → sketch of the items counted in [start, start + bucketMillis) */
  private final TreeMap<Long, SpaceSaving> buckets = new TreeMap<>();
  private final Map<String, String> payloads = new HashMap<>();
  private long now = Long.MIN_VALUE;

  /**
   * @param capacity counters of each bucket's sketch and of the merged one
   * @param bucketMillis how finely the window slides
   * @param windowMillis how far back counts reach (a whole number of buckets, at least one)
   */
  SlidingTopK(int capacity, long bucketMillis, long windowMillis) {
    if (bucketMillis < 1 || windowMillis < bucketMillis) {
      throw new IllegalArgumentException("need 1 <= bucket <= window, got " + bucketMillis + " and " + windowMillis);
    }
    this.capacity = capacity;
    this.bucketMillis = bucketMillis;
    this.windowMillis = windowMillis;
  }

  /** One occurrence of {@code item} at {@code timestamp}; an occurrence older than the window is ignored. */
  void add(String item, String payload, long timestamp) {
    advanceTo(timestamp);
    if (timestamp <= now - windowMillis) {
      return;
    }
    long start = Math.floorDiv(timestamp, bucketMillis) * bucketMillis;
    buckets.computeIfAbsent(start, s -> new SpaceSaving(capacity)).add(item, 1);
    payloads.put(item, payload);
  }

  /** Moves the window's end to {@code timestamp} if that is later, dropping the buckets that fall out. */
  void advanceTo(long timestamp) {
    if (timestamp <= now) {
      return;
    }
    now = timestamp;
    // a bucket [s, s + bucket) is out once its last millisecond is at or before now - window
    var expired = buckets.headMap(now - windowMillis - bucketMillis + 1, true);
    if (!expired.isEmpty()) {
      expired.clear();
      prunePayloads();
    }
  }

  private void prunePayloads() {
    java.util.Set<String> counted = new java.util.HashSet<>();
    buckets.values().forEach(b -> b.counters().forEach(c -> counted.add(c.item())));
    payloads.keySet().retainAll(counted);
  }

  /** The latest timestamp seen (Long.MIN_VALUE before any). */
  long now() {
    return now;
  }

  /** The {@code k} most asked items of the window, most asked first. */
  List<SpaceSaving.Counter> top(int k) {
    if (buckets.size() == 1) {
      return buckets.firstEntry().getValue().top(k);
    }
    return SpaceSaving.merge(capacity, buckets.values()).top(k);
  }

  /** The payload last seen with {@code item}, or null when it is no longer counted. */
  String payload(String item) {
    return payloads.get(item);
  }

  int buckets() {
    return buckets.size();
  }

  byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(FORMAT);
      out.writeInt(capacity);
      out.writeLong(bucketMillis);
      out.writeLong(windowMillis);
      out.writeLong(now);
      out.writeInt(buckets.size());
      for (Map.Entry<Long, SpaceSaving> e : buckets.entrySet()) {
        out.writeLong(e.getKey());
        e.getValue().write(out);
      }
      out.writeInt(payloads.size());
      for (Map.Entry<String, String> e : payloads.entrySet()) {
        Bytes.writeString(out, e.getKey());
        Bytes.writeString(out, e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * The state {@link #toBytes} wrote, under the given shape: a changed capacity, bucket or window
   * (new settings at a restart) keeps the counts, which then slide by the new settings.
   */
  static SlidingTopK fromBytes(byte[] state, int capacity, long bucketMillis, long windowMillis) throws IOException {
    SlidingTopK topK = new SlidingTopK(capacity, bucketMillis, windowMillis);
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IOException("unknown warming state format " + format);
      }
      in.readInt();
      in.readLong();
      in.readLong();
      long now = in.readLong();
      int count = in.readInt();
      for (int i = 0; i < count; i++) {
        long start = in.readLong();
        SpaceSaving sketch = SpaceSaving.read(in);
        long rebased = Math.floorDiv(start, bucketMillis) * bucketMillis;
        topK.buckets.merge(rebased, sketch.capacity() == capacity ? sketch : SpaceSaving.merge(capacity, List.of(sketch)),
            (a, b) -> SpaceSaving.merge(capacity, List.of(a, b)));
      }
      int payloads = in.readInt();
      for (int i = 0; i < payloads; i++) {
        topK.payloads.put(Bytes.readString(in), Bytes.readString(in));
      }
      topK.advanceTo(now);
    }
    return topK;
  }
}
