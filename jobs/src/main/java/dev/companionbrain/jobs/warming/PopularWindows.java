package dev.companionbrain.jobs.warming;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.cache.WarmRequest;
import dev.companionbrain.core.search.WindowQuery;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the windows of the requests in a sliding window ({@link SlidingTopK}) and, at each index
 * generation newer than the last one seen, emits the {@code k} most asked as warm requests, most asked
 * first. Runs with parallelism 1: one sketch sees every request (a search rate of thousands a second
 * is little work for it); a parallel version would pre-aggregate per subtask and merge.
 *
 * <p>The sketch and the last generation are operator state, written at each checkpoint as one
 * versioned byte array (see {@link SlidingTopK#toBytes}), so a restart keeps the counts.
 */
final class PopularWindows extends ProcessFunction<Signal, WarmRecord> implements CheckpointedFunction {
  private static final Logger LOG = LoggerFactory.getLogger(PopularWindows.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int k;
  private final int capacity;
  private final long bucketMillis;
  private final long windowMillis;

  private transient SlidingTopK counts;
  private transient long lastGeneration;
  private transient ListState<byte[]> countsState;
  private transient ListState<Long> generationState;
  private transient Counter emitted;
  private transient Counter generations;

  /**
   * @param k how many windows to warm at each generation
   * @param windowMillis how far back requests count
   */
  PopularWindows(int k, long windowMillis) {
    this(k, capacityFor(k), Math.min(10_000, windowMillis), windowMillis);
  }

  PopularWindows(int k, int capacity, long bucketMillis, long windowMillis) {
    this.k = k;
    this.capacity = capacity;
    this.bucketMillis = bucketMillis;
    this.windowMillis = windowMillis;
  }

  /** A few times k: the k-th most asked window is then counted with a small error. */
  static int capacityFor(int k) {
    return Math.max(64, 4 * k);
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    countsState = context.getOperatorStateStore().getListState(
        new ListStateDescriptor<>("popular-windows", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    generationState = context.getOperatorStateStore().getListState(
        new ListStateDescriptor<>("last-generation", Types.LONG));
    counts = new SlidingTopK(capacity, bucketMillis, windowMillis);
    lastGeneration = 0;
    for (byte[] state : countsState.get()) {
      counts = SlidingTopK.fromBytes(state, capacity, bucketMillis, windowMillis);
    }
    for (Long generation : generationState.get()) {
      lastGeneration = Math.max(lastGeneration, generation);
    }
    if (context.isRestored()) {
      LOG.info("popular windows restored: {} time buckets, last generation {}", counts.buckets(), lastGeneration);
    }
  }

  @Override
  public void open(OpenContext openContext) {
    emitted = getRuntimeContext().getMetricGroup().counter("warm_requests_emitted");
    generations = getRuntimeContext().getMetricGroup().counter("generations_seen");
  }

  @Override
  public void processElement(Signal signal, Context context, Collector<WarmRecord> out) {
    if (!signal.isGeneration()) {
      counts.add(signal.window, signal.windowJson, signal.timestamp);
      return;
    }
    if (signal.generation <= lastGeneration) {
      return; // an older or repeated notice (two partitions, a replay): that generation is warmed already
    }
    lastGeneration = signal.generation;
    generations.inc();
    List<WarmRequest> requests = warmRequests(counts, signal.generation, k);
    requests.forEach(r -> out.collect(WarmRecord.of(r)));
    emitted.inc(requests.size());
    LOG.debug("generation {}: {} warm requests", signal.generation, requests.size());
  }

  /** The {@code k} most asked windows of {@code counts} as warm requests at {@code generation}, rank 1 first. */
  static List<WarmRequest> warmRequests(SlidingTopK counts, long generation, int k) {
    List<WarmRequest> requests = new java.util.ArrayList<>();
    for (SpaceSaving.Counter c : counts.top(k)) {
      WindowQuery window = window(counts.payload(c.item()));
      if (window != null) {
        requests.add(new WarmRequest(generation, window, c.count(), requests.size() + 1));
      }
    }
    return requests;
  }

  @SuppressWarnings("unchecked")
  private static WindowQuery window(String json) {
    if (json == null) {
      return null;
    }
    try {
      return WindowQuery.fromParams(JSON.readValue(json, Map.class));
    } catch (IOException | RuntimeException e) {
      return null; // read back through the request validation: a window it now refuses is not warmed
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    countsState.update(List.of(counts.toBytes()));
    generationState.update(List.of(lastGeneration));
  }
}
