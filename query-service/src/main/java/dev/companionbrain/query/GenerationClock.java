package dev.companionbrain.query;

import dev.companionbrain.core.cache.GenerationNotice;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The index generations this instance knows and when each was published: how stale a window
 * computed at an older generation is. A window of generation {@code g} became stale when {@code g +
 * 1} was published; when this instance does not know that moment (it missed the notice), the window
 * counts as infinitely stale and is never served past the current generation. Thread-safe; time is
 * passed in, so tests drive it by hand.
 */
final class GenerationClock {
  /** Publication times kept, newest first out when trimmed. */
  private static final int KEPT = 1024;
  private final AtomicLong current = new AtomicLong();
  private final ConcurrentSkipListMap<Long, Long> publishedAt = new ConcurrentSkipListMap<>();
  private final ConcurrentSkipListMap<Long, GenerationChanges> changes = new ConcurrentSkipListMap<>();
  private final java.util.List<java.util.function.LongConsumer> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * Learns a generation. Its publication time is the notice's (the indexing job's clock), or {@code
   * learnedAtMillis} when the notice has none (a bare number from an older job, or a generation read
   * by polling): that is later than the truth by the delay of learning it, which is why the notices
   * carry their time.
   *
   * @return true when it is newer than every generation known before
   */
  boolean observe(GenerationNotice notice, long learnedAtMillis) {
    long g = notice.generation();
    long at = notice.publishedAt() > 0 ? Math.min(notice.publishedAt(), learnedAtMillis) : learnedAtMillis;
    publishedAt.merge(g, at, Math::min);
    while (publishedAt.size() > KEPT) {
      publishedAt.pollFirstEntry();
    }
    if (notice.listsChanges()) {
      changes.putIfAbsent(g, GenerationChanges.of(notice.upserted(), notice.deleted()));
      while (changes.size() > KEPT) {
        changes.pollFirstEntry();
      }
    }
    boolean newer = current.getAndAccumulate(g, Math::max) < g;
    if (newer) {
      listeners.forEach(l -> l.accept(g));
    }
    return newer;
  }

  /** Calls {@code listener} with each generation newer than every one known before, on the thread that learnt it. */
  void onNewGeneration(java.util.function.LongConsumer listener) {
    listeners.add(listener);
  }

  /**
   * What the generations after {@code from} up to {@code to} changed, or empty when one of them is
   * not known with its changes (its notice was missed, listed none because it changed too many
   * documents, or came from a job that lists none): a window of generation {@code from} can then
   * only be recomputed.
   */
  java.util.Optional<GenerationChanges> changes(long from, long to) {
    if (to - from > KEPT) {
      return java.util.Optional.empty();
    }
    GenerationChanges all = GenerationChanges.NONE;
    for (long g = from + 1; g <= to; g++) {
      GenerationChanges one = changes.get(g);
      if (one == null) {
        return java.util.Optional.empty();
      }
      all = all.then(one);
    }
    return java.util.Optional.of(all);
  }

  long current() {
    return current.get();
  }

  /** When {@code generation} was published (epoch milliseconds), empty when this instance does not know. */
  java.util.OptionalLong publishedAt(long generation) {
    Long at = publishedAt.get(generation);
    return at == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(at);
  }

  /**
   * How long ago a window of {@code generation} was superseded: 0 while it is current (or newer), at
   * least 1 once superseded,
   * {@link Long#MAX_VALUE} when the moment it was superseded is not known.
   */
  long staleMillis(long generation, long nowMillis) {
    if (generation >= current.get()) {
      return 0;
    }
    Long supersededAt = publishedAt.get(generation + 1);
    // rounded up: a superseded window is at least 1 ms stale, so a bound of 0 serves only current ones
    return supersededAt == null ? Long.MAX_VALUE : Math.max(1, nowMillis - supersededAt);
  }
}
