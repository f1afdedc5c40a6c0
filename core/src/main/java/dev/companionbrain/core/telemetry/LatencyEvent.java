package dev.companionbrain.core.telemetry;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import dev.companionbrain.core.wire.WireJson;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import dev.companionbrain.core.search.WindowQuery;

/**
 * One request's latency, as the query service publishes it to topic {@code search.latency} and the
 * latency alert job reads it: the one type of that wire format, used on both sides, in snake_case
 * like every topic of the product.
 *
 * <pre>{@code {"endpoint":"search","mode":"hybrid","cache":"l1","status":200,"took_ms":0.412,
 *  "backends":{"keyword":3},"timestamp":1764238000000,"window":{"q":"wing flutter","mode":"hybrid",
 *  "tags":[],"fusion":"weighted","weights":"text:0.2,keyword:0.4,vector:1","size":100},"stale_ms":0}}</pre>
 *
 * <p>A multi-search is one request and has one event ({@code "endpoint":"multi-search"}): its mode
 * and cache level are its searches' when they all share one, else {@code mixed}; its backends the
 * longest time of each retriever any of its searches waited for; its {@code windows} the windows its
 * successful searches were answered from, in their order (absent from every other event); its
 * {@code stale_ms} the stalest of them.
 *
 * @param cache {@code l1}, {@code l2}, {@code miss}, {@code bypass}, {@code none} or {@code mixed}
 * @param backends each retriever's time in ms, for the searches that asked the engines
 * @param timestamp when the request ended, epoch ms
 * @param window the candidate window a successful search was answered from (what the cache warming
 *     job counts to learn the popular requests); null for other requests and failures
 * @param windows a multi-search's windows (empty for every other request)
 * @param staleMs how long past its generation's supersession the answer was (0 when current)
 */
public record LatencyEvent(String endpoint, String mode, String cache, int status, double tookMs,
    Map<String, Long> backends, long timestamp, WindowQuery window,
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
    List<WindowQuery> windows, long staleMs) {
  public LatencyEvent {
    backends = backends == null ? Map.of() : backends;
    windows = windows == null ? List.of() : windows;
  }

  /** The event of a request that is not a multi-search. */
  public LatencyEvent(String endpoint, String mode, String cache, int status, double tookMs, Map<String, Long> backends,
      long timestamp, WindowQuery window, long staleMs) {
    this(endpoint, mode, cache, status, tookMs, backends, timestamp, window, List.of(), staleMs);
  }

  /** The windows this event says were answered: its {@code window} or a multi-search's {@code windows}. */
  @JsonIgnore
  public List<WindowQuery> answeredWindows() {
    return window != null ? List.of(window) : windows;
  }

  private static final com.fasterxml.jackson.core.JsonFactory JSON_FACTORY = new com.fasterxml.jackson.core.JsonFactory();

  /**
   * The event's JSON, as {@link WireJson} writes it (LatencyEventTest holds the two equal), written
   * with Jackson's streaming generator: every search publishes one, on the service's cores, and the
   * generic bean serialisation of the event and its window's map was a third of a cached search's
   * CPU.
   */
  public byte[] toJson() {
    return toJson(List.of(this)).get(0);
  }

  /**
   * The JSON of each event, written by one generator: what {@link #toJson} gives for each, for a
   * sender that publishes events in batches (a generator costs more to make than an event to write).
   */
  public static List<byte[]> toJson(List<LatencyEvent> events) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(512 * events.size());
    int[] ends = new int[events.size()];
    try (com.fasterxml.jackson.core.JsonGenerator g = JSON_FACTORY.createGenerator(out)) {
      g.setRootValueSeparator(null);
      for (int i = 0; i < ends.length; i++) {
        events.get(i).writeTo(g);
        g.flush();
        ends[i] = out.size();
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    byte[] all = out.toByteArray();
    List<byte[]> json = new java.util.ArrayList<>(ends.length);
    for (int i = 0, start = 0; i < ends.length; start = ends[i++]) {
      json.add(java.util.Arrays.copyOfRange(all, start, ends[i]));
    }
    return json;
  }

  private void writeTo(com.fasterxml.jackson.core.JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("endpoint", endpoint);
    g.writeStringField("mode", mode);
    g.writeStringField("cache", cache);
    g.writeNumberField("status", status);
    g.writeNumberField("took_ms", tookMs);
    g.writeObjectFieldStart("backends");
    for (Map.Entry<String, Long> backend : backends.entrySet()) {
      g.writeFieldName(backend.getKey());
      if (backend.getValue() == null) {
        g.writeNull();
      } else {
        g.writeNumber(backend.getValue());
      }
    }
    g.writeEndObject();
    g.writeNumberField("timestamp", timestamp);
    g.writeFieldName("window");
    if (window == null) {
      g.writeNull();
    } else {
      window.writeJson(g);
    }
    if (!windows.isEmpty()) {
      g.writeArrayFieldStart("windows");
      for (WindowQuery w : windows) {
        w.writeJson(g);
      }
      g.writeEndArray();
    }
    g.writeNumberField("stale_ms", staleMs);
    g.writeEndObject();
  }

  /** The event, or null when {@code json} is not one (no numeric {@code took_ms} and {@code timestamp}). */
  public static LatencyEvent fromJson(byte[] json) {
    try {
      JsonNode node = WireJson.tree(json);
      if (node == null || !node.isObject() || !node.path("took_ms").isNumber() || !node.path("timestamp").isNumber()) {
        return null;
      }
      return WireJson.read(node, LatencyEvent.class);
    } catch (IOException | RuntimeException e) { // a window that fails the request validation too
      return null;
    }
  }

  /** 5xx answers count as errors (4xx are the client's). */
  @JsonIgnore
  public boolean isError() {
    return status >= 500;
  }

  @JsonIgnore
  public boolean isCacheHit() {
    return "l1".equals(cache) || "l2".equals(cache);
  }
}
