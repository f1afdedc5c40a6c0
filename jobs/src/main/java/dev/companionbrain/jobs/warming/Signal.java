package dev.companionbrain.jobs.warming;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.cache.GenerationNotice;
import dev.companionbrain.core.telemetry.LatencyEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * What the popularity operator reads, one Flink POJO for its two inputs: a request answered from a
 * candidate window (from a latency event) or a new index generation (from a notice).
 */
public class Signal {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The new generation of a notice; 0 for a request. */
  public long generation;
  /** The window's {@code canonicalForm()} (the sketch's key); null for a notice. */
  public String window;
  /** The window's JSON, what a warm request carries; null for a notice. */
  public String windowJson;
  /** When the request ended, or the notice was published, epoch ms. */
  public long timestamp;

  public Signal() {}

  static Signal request(String canonicalForm, String windowJson, long timestamp) {
    Signal s = new Signal();
    s.window = canonicalForm;
    s.windowJson = windowJson;
    s.timestamp = timestamp;
    return s;
  }

  static Signal generation(long generation, long publishedAt) {
    Signal s = new Signal();
    s.generation = generation;
    s.timestamp = publishedAt;
    return s;
  }

  boolean isGeneration() {
    return generation > 0;
  }

  /**
   * The requests of a latency event with status 200: one per window it was answered from (a search's
   * one, a multi-search's each); none for anything else (other endpoints, failures, unreadable bytes).
   */
  static java.util.List<Signal> fromLatencyEvent(byte[] json) {
    LatencyEvent event = json == null ? null : LatencyEvent.fromJson(json);
    if (event == null || event.status() != 200) {
      return java.util.List.of();
    }
    java.util.List<Signal> requests = new java.util.ArrayList<>(event.answeredWindows().size());
    for (dev.companionbrain.core.search.WindowQuery window : event.answeredWindows()) {
      try {
        requests.add(request(window.canonicalForm(), JSON.writeValueAsString(window), event.timestamp()));
      } catch (JsonProcessingException e) {
        // a window that cannot be written is not asked again
      }
    }
    return requests;
  }

  /** The generation of a notice (its JSON or a bare number); null when it is not one. */
  static Signal fromNotice(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      GenerationNotice notice = GenerationNotice.fromJson(new String(bytes, StandardCharsets.UTF_8));
      return notice.generation() > 0 ? generation(notice.generation(), notice.publishedAt()) : null;
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return isGeneration() ? "generation " + generation : "request at " + timestamp;
  }
}
