package dev.companionbrain.query;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntCountsHistogram;

/**
 * The searches this instance answered in the last minutes, for {@code GET /status}: how many, where
 * their windows came from (the cache's share), their statuses and the latency percentiles of the
 * answered ones. Kept in {@link #BUCKET_MILLIS} buckets of a ring that spans {@link #SPAN_MILLIS};
 * a summary over {@code n} buckets covers the current (partial) bucket and the {@code n - 1}
 * before it. Thread-safe; time is passed in (epoch milliseconds), so tests move it by hand.
 */
final class RecentAnswers {
  static final long BUCKET_MILLIS = 10_000;
  static final long SPAN_MILLIS = 15 * 60_000;
  private static final int BUCKETS = (int) (SPAN_MILLIS / BUCKET_MILLIS);
  /** Latencies above this (in microseconds) count as this: a minute, past every timeout. */
  static final long HIGHEST_MICROS = 60_000_000;

  /** The sources a 200 answer's window has: {@code l1}, {@code l2}, {@code miss}, {@code bypass}. */
  private static final String[] SOURCES = {"l1", "l2", "miss", "bypass"};

  /**
   * A summary.
   *
   * @param answers every search in the span, whatever its status
   * @param statuses their number by HTTP status
   * @param sources the answered (200) ones by where their window came from
   * @param cacheShare the share of the answered ones whose window came from L1 or L2, null when none was answered
   * @param p50Ms the answered ones' latency percentiles in milliseconds, null when none was answered
   */
  @com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Summary(long answers, Map<Integer, Long> statuses, Map<String, Long> sources, Double cacheShare,
      Double p50Ms, Double p95Ms, Double p99Ms) {}

  private final LongSupplier clock;
  private final Bucket[] ring = new Bucket[BUCKETS];

  RecentAnswers(LongSupplier clock) {
    this.clock = clock;
    for (int i = 0; i < BUCKETS; i++) {
      ring[i] = new Bucket();
    }
  }

  /**
   * Counts one search.
   *
   * @param source where its window came from ({@code l1}, {@code l2}, {@code miss}, {@code bypass}); ignored unless status is 200
   */
  void record(String source, int status, long nanos) {
    long index = Math.floorDiv(clock.getAsLong(), BUCKET_MILLIS);
    Bucket bucket = ring[(int) Math.floorMod(index, (long) BUCKETS)];
    synchronized (bucket) {
      bucket.moveTo(index);
      bucket.statuses.merge(status, 1L, Long::sum);
      if (status == 200) {
        int s = sourceIndex(source);
        if (s >= 0) {
          bucket.sources[s]++;
        }
        bucket.latency.recordValue(Math.min(Math.max(0, nanos / 1000), HIGHEST_MICROS));
      }
    }
  }

  /** The searches of the last {@code millis} (rounded up to whole buckets, at most {@link #SPAN_MILLIS}). */
  Summary over(long millis) {
    if (millis <= 0 || millis > SPAN_MILLIS) {
      throw new IllegalArgumentException("a span of 1 ms to " + SPAN_MILLIS + " ms, not " + millis);
    }
    long buckets = (millis + BUCKET_MILLIS - 1) / BUCKET_MILLIS;
    long now = Math.floorDiv(clock.getAsLong(), BUCKET_MILLIS);
    Map<Integer, Long> statuses = new TreeMap<>();
    long[] sources = new long[SOURCES.length];
    Histogram latency = newHistogram();
    for (long index = now - buckets + 1; index <= now; index++) {
      Bucket bucket = ring[(int) Math.floorMod(index, (long) BUCKETS)];
      synchronized (bucket) {
        if (bucket.index != index) {
          continue; // nothing was counted in it, or it holds an older span's counts
        }
        bucket.statuses.forEach((status, n) -> statuses.merge(status, n, Long::sum));
        for (int s = 0; s < SOURCES.length; s++) {
          sources[s] += bucket.sources[s];
        }
        latency.add(bucket.latency);
      }
    }
    Map<String, Long> bySource = new LinkedHashMap<>();
    long answered = 0;
    for (int s = 0; s < SOURCES.length; s++) {
      bySource.put(SOURCES[s], sources[s]);
      answered += sources[s];
    }
    long all = statuses.values().stream().mapToLong(Long::longValue).sum();
    if (latency.getTotalCount() == 0) {
      return new Summary(all, statuses, bySource, null, null, null, null);
    }
    Double share = answered == 0 ? null : (double) (sources[0] + sources[1]) / answered;
    return new Summary(all, statuses, bySource, share, millisAt(latency, 50), millisAt(latency, 95), millisAt(latency, 99));
  }

  private static double millisAt(Histogram latency, double percentile) {
    return latency.getValueAtPercentile(percentile) / 1000.0;
  }

  private static int sourceIndex(String source) {
    for (int s = 0; s < SOURCES.length; s++) {
      if (SOURCES[s].equals(source)) {
        return s;
      }
    }
    return -1;
  }

  private static Histogram newHistogram() {
    return new Histogram(HIGHEST_MICROS, 2);
  }

  /** One bucket's counts; guarded by itself. */
  private static final class Bucket {
    long index = Long.MIN_VALUE;
    final Map<Integer, Long> statuses = new TreeMap<>();
    final long[] sources = new long[SOURCES.length];
    final org.HdrHistogram.AbstractHistogram latency = new IntCountsHistogram(HIGHEST_MICROS, 2);

    /** Empties the bucket when it starts a new span. */
    void moveTo(long newIndex) {
      if (index != newIndex) {
        index = newIndex;
        statuses.clear();
        java.util.Arrays.fill(sources, 0);
        latency.reset();
      }
    }
  }
}
