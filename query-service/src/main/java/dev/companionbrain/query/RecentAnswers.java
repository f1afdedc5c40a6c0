package dev.companionbrain.query;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The searches this instance answered in the last minutes, for {@code GET /status}: how many, where
 * their windows came from (the cache's share), their statuses and the latency percentiles of the
 * answered ones. Kept in {@link #BUCKET_MILLIS} buckets of a ring that spans {@link #SPAN_MILLIS};
 * a summary over {@code n} buckets covers the current (partial) bucket and the {@code n - 1}
 * before it. Thread-safe, and a search counts itself without taking a lock; time is passed in
 * (epoch milliseconds), so tests move it by hand.
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
    if (bucket.index != index) {
      synchronized (bucket) {
        bucket.moveTo(index);
      }
    }
    // no lock on the way of every search: adders and a concurrent histogram (a search that lands
    // while its bucket is emptied for a new span may count in the new one)
    bucket.statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
    if (status == 200) {
      int s = sourceIndex(source);
      if (s >= 0) {
        bucket.sources[s].increment();
      }
      bucket.latency.recordValue(Math.min(Math.max(0, nanos / 1000), HIGHEST_MICROS));
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
        bucket.statuses.forEach((status, n) -> statuses.merge(status, n.sum(), Long::sum));
        for (int s = 0; s < SOURCES.length; s++) {
          sources[s] += bucket.sources[s].sum();
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

  /** One bucket's counts: written without a lock, emptied and read under its own. */
  private static final class Bucket {
    volatile long index = Long.MIN_VALUE;
    final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    final LongAdder[] sources = new LongAdder[SOURCES.length];
    final Histogram latency = new ConcurrentHistogram(HIGHEST_MICROS, 2);

    Bucket() {
      for (int s = 0; s < sources.length; s++) {
        sources[s] = new LongAdder();
      }
    }

    /** Empties the bucket when it starts a new span. */
    void moveTo(long newIndex) {
      if (index != newIndex) {
        statuses.clear();
        for (LongAdder source : sources) {
          source.reset();
        }
        latency.reset();
        index = newIndex;
      }
    }
  }
}
