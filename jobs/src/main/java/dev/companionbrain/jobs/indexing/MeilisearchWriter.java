package dev.companionbrain.jobs.indexing;

import com.meilisearch.sdk.Client;
import com.meilisearch.sdk.Index;
import com.meilisearch.sdk.model.Task;
import com.meilisearch.sdk.model.TaskError;
import com.meilisearch.sdk.model.TaskStatus;
import dev.companionbrain.core.index.FailureClassifier;
import dev.companionbrain.core.index.RetryPolicy;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MeilisearchSink}'s writer: buffers actions by id, enqueues them as tasks, follows the tasks
 * and settles each by its outcome. What it asks of Meilisearch ({@link Tasks}) and of the wall clock
 * ({@link WallClock}) are injected, so its own logic is unit-tested without an engine or sleeping.
 */
final class MeilisearchWriter implements CommittingSinkWriter<IndexAction, List<String>> {
  private static final Logger LOG = LoggerFactory.getLogger(MeilisearchWriter.class);

  /** What the writer asks of one Meilisearch index: enqueue a task (its uid), read a task's state. */
  interface Tasks {
    int addDocuments(String documentsJson);

    int deleteDocuments(List<String> ids);

    TaskState task(int uid);

    /** The index {@code index} of the engine {@code client} talks to. */
    static Tasks of(Client client, String index) {
      Index target = client.index(index);
      return new Tasks() {
        @Override
        public int addDocuments(String documentsJson) {
          return target.addDocuments(documentsJson, "id").getTaskUid();
        }

        @Override
        public int deleteDocuments(List<String> ids) {
          return target.deleteDocuments(ids).getTaskUid();
        }

        @Override
        public TaskState task(int uid) {
          Task task = client.getTask(uid);
          TaskError e = task.getError();
          return new TaskState(task.getStatus(), e == null ? null : new TaskState.Error(e.getType(), e.getCode(), e.getMessage()));
        }
      };
    }
  }

  /** A task's status and, when it failed, Meilisearch's error (null when it gave none). */
  record TaskState(TaskStatus status, Error error) {
    record Error(String type, String code, String message) {}
  }

  /** Milliseconds of the wall clock, and the writer's waits on it. */
  interface WallClock {
    WallClock SYSTEM = new WallClock() {
      @Override
      public long millis() {
        return System.currentTimeMillis();
      }

      @Override
      public void sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
      }
    };

    long millis();

    void sleep(long millis) throws InterruptedException;
  }

  private final Tasks index;
  private final WallClock clock;
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
  private long lastProgress;
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
      MetricGroup metrics, DeadLetterProducer.Open deadLetters, RetryPolicy policy) {
    this(Tasks.of(client, index), batchSize, maxWaitMillis, time, metrics, deadLetters, policy, WallClock.SYSTEM);
  }

  MeilisearchWriter(Tasks index, int batchSize, long maxWaitMillis, ProcessingTimeService time, MetricGroup metrics,
      DeadLetterProducer.Open deadLetters, RetryPolicy policy, WallClock clock) {
    this.policy = policy;
    this.clock = clock;
    this.lastProgress = clock.millis();
    this.enqueueing = policy.outage("Meilisearch (enqueueing)", clock::millis, () -> ThreadLocalRandom.current().nextDouble());
    this.tasks = policy.outage("Meilisearch (tasks)", clock::millis, () -> ThreadLocalRandom.current().nextDouble());
    this.index = index;
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
            ? index.deleteDocuments(actions.stream().map(a -> a.id).toList())
            : index.addDocuments(documentsJson(actions));
        enqueueing.recovered();
        if (inFlight.isEmpty()) {
          lastProgress = clock.millis();
        }
        inFlight.add(new Batch(uid, delete, actions, attempt, clock.millis()));
        batchSizes.update(actions.size());
        return;
      } catch (RuntimeException e) {
        clock.sleep(enqueueing.failed(e)); // back-pressure: the writer holds the stream while Meilisearch is away
      }
    }
  }

  /** Settles finished tasks in order; returns when the oldest is still pending. */
  private void poll() throws InterruptedException {
    while (!inFlight.isEmpty()) {
      Batch head = inFlight.peek();
      TaskState task;
      try {
        task = index.task(head.taskUid());
      } catch (RuntimeException e) {
        return; // unreachable for now; flush() insists
      }
      TaskStatus status = task.status();
      if (status == TaskStatus.ENQUEUED || status == TaskStatus.PROCESSING) {
        return;
      }
      inFlight.poll();
      long now = clock.millis();
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

  private void settleFailure(Batch batch, TaskState task) throws InterruptedException {
    String type = task.error() == null ? null : task.error().type();
    String code = task.error() == null ? null : task.error().code();
    String message = task.error() == null ? String.valueOf(task.status()) : task.error().message();
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
    clock.sleep(tasks.failed("task " + batch.taskUid() + " failed: " + type + "/" + code));
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
      long stalled = clock.millis() - lastProgress;
      if (stalled > policy.toleranceMillis()) {
        // no task settled for the whole tolerance: Meilisearch is paused, down or stuck
        RetryPolicy.EngineUnavailableException e = new RetryPolicy.EngineUnavailableException("Meilisearch (tasks)",
            stalled, 0, inFlight.size() + " tasks not settled, oldest " + inFlight.peek().taskUid());
        LOG.error(e.getMessage());
        throw e;
      }
      clock.sleep(pause); // waiting for Meilisearch's own task queue: there is no push notification
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
