package dev.companionbrain.jobs.indexing;

import com.meilisearch.sdk.Client;
import com.meilisearch.sdk.Index;
import com.meilisearch.sdk.model.Task;
import com.meilisearch.sdk.model.TaskStatus;
import dev.companionbrain.core.index.FailureClassifier;
import dev.companionbrain.core.index.RetryPolicy;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

final class MeilisearchWriter implements CommittingSinkWriter<IndexAction, List<String>> {
  private static final Logger LOG = LoggerFactory.getLogger(MeilisearchWriter.class);

  private final Client client;
  private final Index index;
  private final int batchSize;
  private final long maxWaitMillis;
  private final ProcessingTimeService time;
  private final DeadLetterProducer.Open deadLetters;
  private final RetryPolicy policy;
  /** Enqueueing failing (Meilisearch unreachable, paused, answering 5xx). */
  private final RetryPolicy.Outage enqueueing;
  /** Tasks failing for a transient reason. */
  private final RetryPolicy.Outage tasks;
  /** When a task last settled (or the writer last had nothing in flight): progress, for the flush's patience. */
  private long lastProgress = System.currentTimeMillis();
  private final LinkedHashMap<String, IndexAction> buffer = new LinkedHashMap<>();
  private final ArrayDeque<Batch> inFlight = new ArrayDeque<>();
  private final Counter indexed;
  private final Counter deleted;
  private final Counter deadLettered;
  private final DescriptiveStatisticsHistogram batchSizes;
  private final DescriptiveStatisticsHistogram taskMillis;
  private final DescriptiveStatisticsHistogram freshnessMillis;
  private boolean timerPending;
  /** Ids dead-lettered since the last checkpoint: removed from the other engines after it ({@link RejectedDocuments}). */
  private final List<String> rejected = new ArrayList<>();

  private record Batch(int taskUid, boolean delete, List<IndexAction> actions, int attempt, long enqueuedAt) {}

  MeilisearchWriter(Client client, String index, int batchSize, long maxWaitMillis, ProcessingTimeService time,
      SinkWriterMetricGroup metrics, DeadLetterProducer.Open deadLetters) {
    this(client, index, batchSize, maxWaitMillis, time, metrics, deadLetters,
        RetryPolicy.tolerating(RetryPolicy.DEFAULT_TOLERANCE_MILLIS));
  }

  MeilisearchWriter(Client client, String index, int batchSize, long maxWaitMillis, ProcessingTimeService time,
      SinkWriterMetricGroup metrics, DeadLetterProducer.Open deadLetters, RetryPolicy policy) {
    this.policy = policy;
    this.enqueueing = policy.outage("Meilisearch (enqueueing)");
    this.tasks = policy.outage("Meilisearch (tasks)");
    this.client = client;
    this.index = client.index(index);
    this.batchSize = batchSize;
    this.maxWaitMillis = maxWaitMillis;
    this.time = time;
    this.deadLetters = deadLetters;
    var group = metrics.addGroup("sink", "meilisearch");
    this.indexed = group.counter("documents_indexed");
    this.deleted = group.counter("documents_deleted");
    this.deadLettered = group.counter("documents_dead_lettered");
    this.batchSizes = group.histogram("batch_size", new DescriptiveStatisticsHistogram(500));
    this.taskMillis = group.histogram("task_ms", new DescriptiveStatisticsHistogram(500));
    this.freshnessMillis = group.histogram("freshness_ms", new DescriptiveStatisticsHistogram(5000));
  }

  @Override
  public void write(IndexAction action, Context context) throws InterruptedException {
    buffer.remove(action.id);
    buffer.put(action.id, action);
    if (buffer.size() >= batchSize) {
      send();
    }
    scheduleTick();
  }

  private void scheduleTick() {
    if (!timerPending) {
      timerPending = true;
      time.registerTimer(time.getCurrentProcessingTime() + Math.min(maxWaitMillis, 250), ts -> tick());
    }
  }

  private void tick() throws InterruptedException {
    timerPending = false;
    send();
    poll();
    if (!buffer.isEmpty() || !inFlight.isEmpty()) {
      scheduleTick();
    }
  }

  /** Enqueues what is buffered as at most one delete task and one add task; retries while Meilisearch is down. */
  private void send() throws InterruptedException {
    if (buffer.isEmpty()) {
      return;
    }
    List<IndexAction> upserts = new ArrayList<>();
    List<IndexAction> deletes = new ArrayList<>();
    for (IndexAction a : buffer.values()) {
      (a.delete ? deletes : upserts).add(a);
    }
    buffer.clear();
    if (!deletes.isEmpty()) {
      enqueue(true, deletes, 0);
    }
    if (!upserts.isEmpty()) {
      enqueue(false, upserts, 0);
    }
  }

  /**
   * Enqueues one task; while Meilisearch is unreachable or paused retries with the policy's back-off,
   * holding the stream (back-pressure); past the outage tolerance fails, naming Meilisearch.
   */
  private void enqueue(boolean delete, List<IndexAction> actions, int attempt) throws InterruptedException {
    while (true) {
      try {
        int uid = delete
            ? index.deleteDocuments(actions.stream().map(a -> a.id).toList()).getTaskUid()
            : index.addDocuments(documentsJson(actions), "id").getTaskUid();
        enqueueing.recovered();
        if (inFlight.isEmpty()) {
          lastProgress = System.currentTimeMillis();
        }
        inFlight.add(new Batch(uid, delete, actions, attempt, System.currentTimeMillis()));
        batchSizes.update(actions.size());
        return;
      } catch (RuntimeException e) {
        Thread.sleep(enqueueing.failed(e)); // back-pressure: the writer holds the stream while Meilisearch is away
      }
    }
  }

  /** Settles finished tasks in order; returns when the oldest is still pending. */
  private void poll() throws InterruptedException {
    while (!inFlight.isEmpty()) {
      Batch head = inFlight.peek();
      Task task;
      try {
        task = client.getTask(head.taskUid());
      } catch (RuntimeException e) {
        return; // unreachable for now; flush() insists
      }
      TaskStatus status = task.getStatus();
      if (status == TaskStatus.ENQUEUED || status == TaskStatus.PROCESSING) {
        return;
      }
      inFlight.poll();
      long now = System.currentTimeMillis();
      lastProgress = now;
      if (status == TaskStatus.SUCCEEDED) {
        taskMillis.update(now - head.enqueuedAt());
        for (IndexAction a : head.actions()) {
          freshnessMillis.update(Math.max(0, now - a.sourceTimestamp));
        }
        (head.delete() ? deleted : indexed).inc(head.actions().size());
        tasks.recovered();
      } else {
        settleFailure(head, task);
      }
    }
  }

  private void settleFailure(Batch batch, Task task) throws InterruptedException {
    String type = task.getError() == null ? null : task.getError().getType();
    String code = task.getError() == null ? null : task.getError().getCode();
    String message = task.getError() == null ? String.valueOf(task.getStatus()) : task.getError().getMessage();
    FailureClassifier.Outcome outcome = FailureClassifier.meilisearchTask(type, code);
    if (outcome == FailureClassifier.Outcome.DEAD_LETTER && batch.actions().size() > 1) {
      // isolate the offending documents: re-send one by one
      for (IndexAction a : batch.actions()) {
        enqueue(batch.delete(), List.of(a), batch.attempt());
      }
      return;
    }
    if (outcome == FailureClassifier.Outcome.DEAD_LETTER) {
      IndexAction a = batch.actions().get(0);
      if (deadLetters == null) {
        throw new IllegalStateException("Meilisearch rejected document " + a.id + " (" + code + "): " + message);
      }
      deadLetters.send(a, "meilisearch_" + code, message);
      rejected.add(a.id);
      deadLettered.inc();
      LOG.warn("Meilisearch rejected document {} ({}); sent to the dead-letter topic", a.id, code);
      return;
    }
    // transient (internal, system, a missing index): again with back-off; past the tolerance this throws
    Thread.sleep(tasks.failed("task " + batch.taskUid() + " failed: " + type + "/" + code));
    enqueue(batch.delete(), batch.actions(), batch.attempt() + 1);
  }

  @Override
  public void flush(boolean endOfInput) throws IOException, InterruptedException {
    send();
    long pause = 20;
    while (!inFlight.isEmpty()) {
      poll();
      if (inFlight.isEmpty()) {
        break;
      }
      long stalled = System.currentTimeMillis() - lastProgress;
      if (stalled > policy.toleranceMillis()) {
        // no task settled for the whole tolerance: Meilisearch is paused, down or stuck
        RetryPolicy.EngineUnavailableException e = new RetryPolicy.EngineUnavailableException("Meilisearch (tasks)",
            stalled, 0, inFlight.size() + " tasks not settled, oldest " + inFlight.peek().taskUid());
        LOG.error(e.getMessage());
        throw e;
      }
      Thread.sleep(pause); // waiting for Meilisearch's own task queue: there is no push notification
      pause = Math.min(250, pause * 2);
    }
    if (deadLetters != null) {
      deadLetters.flush();
    }
  }

  @Override
  public java.util.Collection<List<String>> prepareCommit() {
    if (rejected.isEmpty()) {
      return List.of();
    }
    List<String> ids = new ArrayList<>(rejected);
    rejected.clear();
    return List.of(ids);
  }

  static String documentsJson(List<IndexAction> actions) {
    StringBuilder sb = new StringBuilder("[");
    for (IndexAction a : actions) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append(documentJson(a));
    }
    return sb.append(']').toString();
  }

  static String documentJson(IndexAction a) {
    return new String(a.fieldsJson(false), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    if (deadLetters != null) {
      deadLetters.close();
    }
  }
}
