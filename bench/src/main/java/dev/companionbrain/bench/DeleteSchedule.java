package dev.companionbrain.bench;

import java.util.ArrayDeque;

/**
 * Which operations of a stream are deletes, and of what: every {@code every}-th operation deletes the
 * oldest document the stream itself wrote, once that one has been out for {@code minAgeNanos} (time
 * enough to be indexed and to enter the cached windows of the queries it matches). Until a written
 * document is that old, a delete's turn writes instead. Only the stream's own copies are deleted, so the
 * collection that later scenarios search stays whole. Time is the caller's ({@link System#nanoTime()}).
 */
final class DeleteSchedule {
  private record Written(String id, long at) {}

  private final int every;
  private final long minAgeNanos;
  private final ArrayDeque<Written> written = new ArrayDeque<>();

  DeleteSchedule(int every, long minAgeNanos) {
    if (every < 2) {
      throw new IllegalArgumentException("one operation in " + every + " cannot be a delete: every is at least 2");
    }
    this.every = every;
    this.minAgeNanos = minAgeNanos;
  }

  /** A document the stream wrote at {@code at} that may be deleted later. */
  synchronized void written(String id, long at) {
    written.addLast(new Written(id, at));
  }

  /**
   * The id operation {@code op} (0-based) deletes at {@code now}, or null when it writes: not a delete's
   * turn, or nothing written long enough ago.
   */
  synchronized String victim(long op, long now) {
    if (op % every != every - 1) {
      return null;
    }
    Written oldest = written.peekFirst();
    if (oldest == null || now - oldest.at() < minAgeNanos) {
      return null;
    }
    written.removeFirst();
    return oldest.id();
  }
}
