package dev.companionbrain.query;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What one index generation, or a run of consecutive ones, changed: the documents written (new or
 * updated) and the documents deleted. An id is in at most one of the two sets: of a run, the later
 * generation's operation wins (written then deleted: deleted; deleted then written again: written).
 *
 * @param upserted documents written, whose new text and scores must be judged
 * @param deleted documents deleted, which no answer may contain any more
 */
record GenerationChanges(Set<String> upserted, Set<String> deleted) {
  static final GenerationChanges NONE = new GenerationChanges(Set.of(), Set.of());

  GenerationChanges {
    upserted = Set.copyOf(upserted);
    deleted = Set.copyOf(deleted);
  }

  /** The changes of one generation; an id in both lists counts as deleted (a job never lists one twice). */
  static GenerationChanges of(Collection<String> upserted, Collection<String> deleted) {
    Set<String> written = new LinkedHashSet<>(upserted);
    written.removeAll(deleted);
    return new GenerationChanges(written, new LinkedHashSet<>(deleted));
  }

  /** These changes followed by {@code later}'s. */
  GenerationChanges then(GenerationChanges later) {
    Set<String> written = new LinkedHashSet<>(upserted);
    Set<String> gone = new LinkedHashSet<>(deleted);
    written.removeAll(later.deleted);
    gone.removeAll(later.upserted);
    written.addAll(later.upserted);
    gone.addAll(later.deleted);
    return new GenerationChanges(written, gone);
  }

  /** Whether {@code id} was written or deleted. */
  boolean touches(String id) {
    return upserted.contains(id) || deleted.contains(id);
  }

  /** How many documents changed. */
  int size() {
    return upserted.size() + deleted.size();
  }
}
