package dev.companionbrain.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which documents are deleted at which generation, from the generation notices of the Redis channel
 * ({@code brain:index:generation}: the notice's JSON with its {@code upserted} and {@code deleted} id
 * lists), and whether an answer valid for a generation holds a document deleted by then. A document
 * re-added at a later generation is not deleted from that generation on. When one notice names an id
 * in both lists, the delete is taken as the generation's last word (a notice carries a generation's net
 * changes). Thread-safe: notices arrive on Lettuce's thread, answers are judged on the caller's.
 */
final class DeletedAnswers {
  /** Per id, generation -> deleted (true) or upserted (false) at it. */
  private final Map<String, TreeMap<Long, Boolean>> events = new HashMap<>();
  private long deletes;

  /** One notice as a JSON tree; a notice without id lists (or a bare generation number) changes nothing here. */
  synchronized void notice(JsonNode notice) {
    if (notice == null || !notice.path("generation").canConvertToLong()) {
      return;
    }
    long generation = notice.path("generation").asLong();
    for (JsonNode id : notice.path("upserted")) {
      events.computeIfAbsent(id.asText(), k -> new TreeMap<>()).putIfAbsent(generation, false);
    }
    for (JsonNode id : notice.path("deleted")) {
      events.computeIfAbsent(id.asText(), k -> new TreeMap<>()).put(generation, true);
      deletes++;
    }
  }

  /** Whether {@code id} is deleted in generation {@code generation}: its last change at or before it is a delete. */
  synchronized boolean deletedAt(String id, long generation) {
    TreeMap<Long, Boolean> changes = events.get(id);
    if (changes == null) {
      return false;
    }
    Map.Entry<Long, Boolean> last = changes.floorEntry(generation);
    return last != null && last.getValue();
  }

  /** Whether an answer valid for {@code generation} holds a document deleted at a generation up to it. */
  synchronized boolean holdsDeleted(long generation, Collection<String> ids) {
    for (String id : ids) {
      if (deletedAt(id, generation)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether an answer valid for {@code generation} holds a document that a later generation deletes:
   * that the deletes reached documents the cache was serving, so that "no deleted answer" says something.
   */
  synchronized boolean holdsLaterDeleted(long generation, Collection<String> ids) {
    for (String id : ids) {
      TreeMap<Long, Boolean> changes = events.get(id);
      if (changes != null && !deletedAt(id, generation) && changes.tailMap(generation, false).containsValue(true)) {
        return true;
      }
    }
    return false;
  }

  /** Deletes the notices named so far. */
  synchronized long deletes() {
    return deletes;
  }
}
