package dev.companionbrain.jobs.indexing;

import static dev.companionbrain.jobs.indexing.Actions.delete;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.meilisearch.sdk.model.TaskStatus;
import dev.companionbrain.core.index.RetryPolicy;
import dev.companionbrain.jobs.indexing.MeilisearchWriter.TaskState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.stream.StreamSupport;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * MeilisearchWriter's own logic, without an engine: Meilisearch is a script of task answers, the wall
 * clock moves only when the writer sleeps, the processing-time service only when the test advances it.
 * (MeilisearchSink against a real Meilisearch: IndexingJobIT, EngineRejectionIT, EngineOutageIT.)
 */
class MeilisearchWriterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TaskState DONE = new TaskState(TaskStatus.SUCCEEDED, null);
  private static final TaskState PENDING = new TaskState(TaskStatus.PROCESSING, null);

  /** Meilisearch as the writer sees it: records every enqueued task, answers each task's state from a script. */
  private static final class ScriptedTasks implements MeilisearchWriter.Tasks {
    final List<String> sent = new ArrayList<>();
    final Map<Integer, Queue<TaskState>> answers = new HashMap<>();
    final Queue<RuntimeException> enqueueFailures = new ArrayDeque<>();
    TaskState byDefault = DONE;

    @Override
    public int addDocuments(String documentsJson) {
      return enqueue("add " + ids(documentsJson));
    }

    @Override
    public int deleteDocuments(List<String> ids) {
      return enqueue("delete " + ids);
    }

    private int enqueue(String what) {
      if (!enqueueFailures.isEmpty()) {
        throw enqueueFailures.poll();
      }
      sent.add(what);
      return sent.size() - 1;
    }

    /** Task {@code uid} answers {@code states} in turn, then its last one. */
    void answer(int uid, TaskState... states) {
      answers.put(uid, new ArrayDeque<>(List.of(states)));
    }

    @Override
    public TaskState task(int uid) {
      Queue<TaskState> script = answers.get(uid);
      if (script == null) {
        return byDefault;
      }
      return script.size() > 1 ? script.poll() : script.peek();
    }

    private static List<String> ids(String documentsJson) {
      try {
        return StreamSupport.stream(JSON.readTree(documentsJson).spliterator(), false).map(d -> d.get("id").asText()).toList();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }

  /** Wall-clock time that passes only when the writer waits. */
  private static final class FakeClock implements MeilisearchWriter.WallClock {
    long now = 1_000_000;
    final List<Long> sleeps = new ArrayList<>();

    @Override
    public long millis() {
      return now;
    }

    @Override
    public void sleep(long millis) {
      sleeps.add(millis);
      now += millis;
    }
  }

  /** The writer's metrics, by name. */
  private static final class Metrics extends UnregisteredMetricsGroup {
    final Map<String, Counter> counters = new HashMap<>();
    final Map<String, Histogram> histograms = new HashMap<>();

    @Override
    public MetricGroup addGroup(String key, String value) {
      return this;
    }

    @Override
    public Counter counter(String name) {
      return counters.computeIfAbsent(name, n -> new SimpleCounter());
    }

    @Override
    public <H extends Histogram> H histogram(String name, H histogram) {
      histograms.put(name, histogram);
      return histogram;
    }

    long count(String name) {
      return counters.get(name).getCount();
    }
  }

  private final ScriptedTasks meilisearch = new ScriptedTasks();
  private final FakeClock clock = new FakeClock();
  private final TestProcessingTimeService timers = new TestProcessingTimeService();
  private final Metrics metrics = new Metrics();
  private final MockProducer<byte[], byte[]> deadLetterTopic =
      new MockProducer<>(true, new ByteArraySerializer(), new ByteArraySerializer());

  private MeilisearchWriter writer(int batchSize, boolean withDeadLetters) {
    return new MeilisearchWriter(meilisearch, batchSize, 1_000, timers, metrics,
        withDeadLetters ? new DeadLetterProducer.Open(deadLetterTopic, "docs.dlq") : null, RetryPolicy.tolerating(10_000),
        clock);
  }

  private static IndexAction upsert(String id) {
    IndexAction a = Actions.upsert(id, "title " + id, "body");
    a.vector = new float[] {1f};
    return a;
  }

  private static TaskState failed(String type, String code) {
    return new TaskState(TaskStatus.FAILED, new TaskState.Error(type, code, "Meilisearch says " + code));
  }

  @Test
  void aFullBufferIsOneDeleteTaskThenOneAddTaskAndAnIdWrittenTwiceIsSentOnceWithItsLastAction() throws Exception {
    MeilisearchWriter writer = writer(4, false);
    writer.write(upsert("a"), null);
    writer.write(delete("b"), null);
    writer.write(upsert("c"), null);
    assertThat(meilisearch.sent).as("three distinct ids of four: still buffered").isEmpty();
    writer.write(upsert("a"), null); // the same id again: replaces the first, still three
    assertThat(meilisearch.sent).isEmpty();
    writer.write(upsert("d"), null);

    assertThat(meilisearch.sent).containsExactly("delete [b]", "add [c, a, d]");
    assertThat(metrics.histograms.get("batch_size").getStatistics().getMax()).isEqualTo(3);
  }

  @Test
  void whatWaitsInTheBufferIsSentWhenTheTimerFiresAndTheTaskIsFollowedUntilItSucceeds() throws Exception {
    MeilisearchWriter writer = writer(100, false);
    meilisearch.answer(0, PENDING, DONE);
    writer.write(upsert("a"), null);
    timers.advance(249);
    assertThat(meilisearch.sent).isEmpty();

    timers.advance(1); // min(maxWait 1000 ms, 250 ms)
    assertThat(meilisearch.sent).containsExactly("add [a]");
    assertThat(metrics.count("documents_indexed")).as("its task is still processing").isZero();

    timers.advance(250); // the next tick polls again
    assertThat(metrics.count("documents_indexed")).isEqualTo(1);
    assertThat(metrics.histograms.get("freshness_ms").getCount()).isEqualTo(1);
  }

  @Test
  void flushWaitsForEveryTaskAndCountsIndexedAndDeletedDocuments() throws Exception {
    MeilisearchWriter writer = writer(100, false);
    meilisearch.answer(0, PENDING, PENDING, DONE);
    writer.write(delete("x"), null);
    writer.write(upsert("a"), null);
    writer.write(upsert("b"), null);

    writer.flush(false);

    assertThat(meilisearch.sent).containsExactly("delete [x]", "add [a, b]");
    assertThat(metrics.count("documents_deleted")).isEqualTo(1);
    assertThat(metrics.count("documents_indexed")).isEqualTo(2);
    assertThat(clock.sleeps).as("flush polled the pending delete task with growing pauses").containsExactly(20L, 40L);
    assertThat(writer.prepareCommit()).isEmpty();
  }

  @Test
  void aRefusedBatchIsSplitAndOnlyTheRefusedDocumentIsDeadLetteredAndCommitted() throws Exception {
    MeilisearchWriter writer = writer(100, true);
    IndexAction bad = upsert("bad");
    bad.sourceTopic = "docs";
    bad.sourcePartition = 2;
    bad.sourceOffset = 41;
    bad.sourceKey = "bad".getBytes(StandardCharsets.UTF_8);
    bad.sourceValue = "{\"original\":true}".getBytes(StandardCharsets.UTF_8);
    meilisearch.answer(0, failed("invalid_request", "invalid_document_fields"));
    meilisearch.answer(2, failed("invalid_request", "invalid_document_fields")); // "bad" alone
    writer.write(upsert("good"), null);
    writer.write(bad, null);

    writer.flush(false);

    assertThat(meilisearch.sent).containsExactly("add [good, bad]", "add [good]", "add [bad]");
    assertThat(metrics.count("documents_indexed")).isEqualTo(1);
    assertThat(metrics.count("documents_dead_lettered")).isEqualTo(1);
    List<ProducerRecord<byte[], byte[]>> letters = deadLetterTopic.history();
    assertThat(letters).singleElement().satisfies(r -> {
      assertThat(r.topic()).isEqualTo("docs.dlq");
      assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("{\"original\":true}");
      assertThat(header(r, "dlq.reason")).isEqualTo("meilisearch_invalid_document_fields");
      assertThat(header(r, "dlq.offset")).isEqualTo("41");
    });
    assertThat(writer.prepareCommit()).containsExactly(List.of("bad"));
    assertThat(writer.prepareCommit()).as("each checkpoint commits its own rejections").isEmpty();
  }

  @Test
  void aRefusedDocumentWithoutADeadLetterTopicFailsNamingIt() throws Exception {
    MeilisearchWriter writer = writer(100, false);
    meilisearch.answer(0, failed("invalid_request", "invalid_document_id"));
    writer.write(upsert("bad"), null);

    assertThatThrownBy(() -> writer.flush(false)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("bad").hasMessageContaining("invalid_document_id");
  }

  @Test
  void aTransientTaskFailureIsEnqueuedAgainAfterABackOff() throws Exception {
    MeilisearchWriter writer = writer(100, true);
    meilisearch.answer(0, failed("internal", "internal"));
    writer.write(upsert("a"), null);
    writer.write(upsert("b"), null);

    writer.flush(false);

    assertThat(meilisearch.sent).containsExactly("add [a, b]", "add [a, b]");
    assertThat(clock.sleeps).singleElement().satisfies(wait -> assertThat(wait).isBetween(50L, 100L));
    assertThat(metrics.count("documents_indexed")).isEqualTo(2);
    assertThat(deadLetterTopic.history()).isEmpty();
  }

  @Test
  void aMissingIndexIsTransientNotARefusedDocument() throws Exception {
    MeilisearchWriter writer = writer(100, true);
    meilisearch.answer(0, failed("invalid_request", "index_not_found"));
    writer.write(upsert("a"), null);

    writer.flush(false);

    assertThat(meilisearch.sent).containsExactly("add [a]", "add [a]");
    assertThat(deadLetterTopic.history()).isEmpty();
  }

  @Test
  void anUnreachableMeilisearchHoldsTheStreamUntilItAnswersAndFailsPastTheTolerance() throws Exception {
    MeilisearchWriter writer = writer(1, false);
    meilisearch.enqueueFailures.add(new RuntimeException("connection refused"));
    meilisearch.enqueueFailures.add(new RuntimeException("connection refused"));
    writer.write(upsert("a"), null);
    assertThat(meilisearch.sent).containsExactly("add [a]");
    assertThat(clock.sleeps).hasSize(2);

    for (int i = 0; i < 100; i++) {
      meilisearch.enqueueFailures.add(new RuntimeException("connection refused"));
    }
    assertThatThrownBy(() -> writer.write(upsert("b"), null)).isInstanceOf(RetryPolicy.EngineUnavailableException.class)
        .hasMessageContaining("Meilisearch (enqueueing)");
    assertThat(clock.sleeps.stream().skip(2).mapToLong(Long::longValue).sum()).isEqualTo(10_000);
  }

  @Test
  void aFlushFailsWhenNoTaskSettlesForTheWholeTolerance() throws Exception {
    MeilisearchWriter writer = writer(100, false);
    meilisearch.byDefault = new TaskState(TaskStatus.ENQUEUED, null);
    writer.write(upsert("a"), null);

    assertThatThrownBy(() -> writer.flush(false)).isInstanceOf(RetryPolicy.EngineUnavailableException.class)
        .hasMessageContaining("Meilisearch (tasks)").hasMessageContaining("1 tasks not settled, oldest 0");
    assertThat(clock.now - 1_000_000).isGreaterThan(10_000);
  }

  private static String header(ProducerRecord<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
