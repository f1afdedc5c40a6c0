package dev.companionbrain.jobs.indexing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The document ids changed since a checkpoint, as a generation notice lists them: each id once, in the
 * order of its last operation, which decides its list (written then deleted: deleted only; deleted
 * then written: upserted only). Past {@code max} ids it stops listing and forgets them: the changes
 * are then "not listed" (null lists) until {@link #clear}. Not thread-safe: one writer's, or one
 * commit's.
 */
final class Changes {
  private final int max;
  /** Each id, in the order of its last operation, and whether that operation was a delete; null: not listed. */
  private Map<String, Boolean> deletedById = new LinkedHashMap<>();

  /** @param max the most ids listed (0: none is ever listed) */
  Changes(int max) {
    if (max < 0) {
      throw new IllegalArgumentException("at most " + max + " changes");
    }
    this.max = max;
  }

  /** {@code id} was written ({@code delete} false) or deleted, after everything recorded so far. */
  void record(String id, boolean delete) {
    if (deletedById == null) {
      return;
    }
    deletedById.remove(id); // re-inserted at the end: the order is that of the last operations
    deletedById.put(id, delete);
    if (deletedById.size() > max) {
      deletedById = null; // the ids are forgotten
    }
  }

  /**
   * The changes of {@code writes}, after everything recorded so far (so a later checkpoint's operation on
   * an id wins over an earlier one's); writes that list no changes make these not listed either.
   */
  void record(RedisSink.Writes writes) {
    if (!writes.listsChanges()) {
      deletedById = null;
      return;
    }
    for (String id : writes.upserted()) {
      record(id, false);
    }
    for (String id : writes.deleted()) {
      record(id, true);
    }
  }

  /** Whether the ids are listed (not more than {@code max} so far). */
  boolean listed() {
    return deletedById != null;
  }

  /** The ids last written, in order; null when not {@link #listed()}. */
  List<String> upserted() {
    return listed() ? ids(false) : null;
  }

  /** The ids last deleted, in order; null when not {@link #listed()}. */
  List<String> deleted() {
    return listed() ? ids(true) : null;
  }

  private List<String> ids(boolean deleted) {
    List<String> ids = new ArrayList<>();
    deletedById.forEach((id, d) -> {
      if (d == deleted) {
        ids.add(id);
      }
    });
    return List.copyOf(ids);
  }

  /** Forgets every id and lists again: a new checkpoint begins. */
  void clear() {
    deletedById = new LinkedHashMap<>();
  }
}
