package dev.companionbrain.query;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code GET /status}: what the workbench's status view shows, from this instance alone: its
 * readiness (each engine, each retriever's breaker), the current generation and how long ago it was
 * published, and the searches of the last 1, 5 and 15 minutes ({@link RecentAnswers}). Always 200:
 * the body says how things are.
 */
final class StatusHandler {
  /** The spans shown, in this order: name and length in milliseconds. */
  private static final java.util.List<Map.Entry<String, Long>> SPANS =
      java.util.List.of(Map.entry("1m", 60_000L), Map.entry("5m", 300_000L), Map.entry("15m", 900_000L));
  private final Readiness readiness;
  private final GenerationClock generations;
  private final RecentAnswers answers;
  private final LongSupplier clock;

  StatusHandler(Readiness readiness, GenerationClock generations, RecentAnswers answers, LongSupplier clock) {
    this.readiness = readiness;
    this.generations = generations;
    this.answers = answers;
    this.clock = clock;
  }

  Map<String, Object> body() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("readiness", readiness.check().body());
    long current = generations.current();
    java.util.OptionalLong publishedAt = generations.publishedAt(current);
    Map<String, Object> generation = new LinkedHashMap<>();
    generation.put("current", current);
    generation.put("published_at", publishedAt.isPresent() ? Instant.ofEpochMilli(publishedAt.getAsLong()).toString() : null);
    generation.put("age_ms", publishedAt.isPresent() ? Math.max(0, clock.getAsLong() - publishedAt.getAsLong()) : null);
    body.put("generation", generation);
    Map<String, Object> spans = new LinkedHashMap<>();
    for (Map.Entry<String, Long> span : SPANS) {
      spans.put(span.getKey(), answers.over(span.getValue()));
    }
    body.put("answers", spans);
    body.put("bucket_ms", RecentAnswers.BUCKET_MILLIS);
    return body;
  }
}
