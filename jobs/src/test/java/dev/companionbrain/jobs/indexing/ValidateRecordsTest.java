package dev.companionbrain.jobs.indexing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ValidateRecordsTest {
  private static final String TOPIC = "documents";

  private OneInputStreamOperatorTestHarness<SourceRecord, IndexAction> harness;
  private long offset = 100;

  @BeforeEach
  void open() throws Exception {
    harness = ProcessFunctionTestHarnesses.forProcessFunction(new ValidateRecords());
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  private SourceRecord record(String key, String value) {
    return new SourceRecord(TOPIC, 3, offset++, 1_700_000_000_000L, utf8(key), utf8(value));
  }

  private void process(SourceRecord record) throws Exception {
    harness.processElement(new StreamRecord<>(record, record.timestamp));
  }

  private List<DeadLetter> deadLetters() {
    Queue<StreamRecord<DeadLetter>> queue = harness.getSideOutput(ValidateRecords.DEAD_LETTERS);
    List<DeadLetter> out = new ArrayList<>();
    if (queue != null) {
      queue.forEach(r -> out.add(r.getValue()));
    }
    return out;
  }

  @Test
  void validUpsertBecomesAnIndexAction() throws Exception {
    process(record("doc-1",
        "{\"id\":\"doc-1\",\"title\":\"Hello\",\"body\":\"World\",\"tags\":[\"a\",\"b\"],"
            + "\"url\":\"https://example.org\",\"updated_at\":\"2024-05-01T12:00:00+02:00\"}"));

    List<IndexAction> out = harness.extractOutputValues();
    assertThat(out).hasSize(1);
    IndexAction a = out.get(0);
    assertThat(a.delete).isFalse();
    assertThat(a.id).isEqualTo("doc-1");
    assertThat(a.title).isEqualTo("Hello");
    assertThat(a.body).isEqualTo("World");
    assertThat(a.tags).containsExactly("a", "b");
    assertThat(a.url).isEqualTo("https://example.org");
    assertThat(a.updatedAt).isEqualTo("2024-05-01T10:00:00Z");
    assertThat(a.vector).isNull();
    assertThat(a.needsEmbedding).isFalse();
    assertThat(a.sourceTimestamp).isEqualTo(1_700_000_000_000L);
    assertThat(deadLetters()).isEmpty();
  }

  @Test
  void producerVectorIsCarried() throws Exception {
    StringBuilder vector = new StringBuilder("[");
    for (int i = 0; i < 384; i++) {
      vector.append(i == 0 ? "" : ",").append(i % 2 == 0 ? "0.5" : "-0.25");
    }
    vector.append(']');

    process(record(null, "{\"id\":\"doc-1\",\"title\":\"t\",\"vector\":" + vector + "}"));

    IndexAction a = harness.extractOutputValues().get(0);
    assertThat(a.vector).hasSize(384);
    // carried at unit length: the norm of 192 × 0.5 and 192 × -0.25 is sqrt(192 × 0.3125)
    double norm = Math.sqrt(192 * 0.3125);
    assertThat(a.vector[0]).isCloseTo((float) (0.5 / norm), org.assertj.core.api.Assertions.within(1e-7f));
    assertThat(a.vector[1]).isCloseTo((float) (-0.25 / norm), org.assertj.core.api.Assertions.within(1e-7f));
  }

  @Test
  void validDeleteBecomesADeleteAction() throws Exception {
    process(record("doc-1", "{\"op\":\"delete\",\"id\":\"doc-1\"}"));

    List<IndexAction> out = harness.extractOutputValues();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).delete).isTrue();
    assertThat(out.get(0).id).isEqualTo("doc-1");
    assertThat(out.get(0).sourceTimestamp).isEqualTo(1_700_000_000_000L);
    assertThat(deadLetters()).isEmpty();
  }

  @Test
  void malformedJsonGoesToTheDeadLettersWithItsOriginalBytes() throws Exception {
    long before = System.currentTimeMillis();
    SourceRecord bad = new SourceRecord(TOPIC, 5, 12_345L, 1_600_000_000_000L, utf8("doc-9"), utf8("{\"id\": oops"));

    process(bad);

    long after = System.currentTimeMillis();
    assertThat(harness.extractOutputValues()).isEmpty();
    List<DeadLetter> dead = deadLetters();
    assertThat(dead).hasSize(1);
    DeadLetter d = dead.get(0);
    assertThat(d.reason).isEqualTo("malformed_json");
    assertThat(d.message).isNotBlank();
    assertThat(d.key).isEqualTo(utf8("doc-9"));
    assertThat(d.value).isEqualTo(utf8("{\"id\": oops"));
    assertThat(d.sourceTopic).isEqualTo(TOPIC);
    assertThat(d.sourcePartition).isEqualTo(5);
    assertThat(d.sourceOffset).isEqualTo(12_345L);
    assertThat(d.sourceTimestamp).isEqualTo(1_600_000_000_000L);
    assertThat(d.rejectedAt).isBetween(before, after);
  }

  @Test
  void aTombstoneIsTheDeleteOfItsKeysDocumentAndOneWithoutAKeyIsDeadLettered() throws Exception {
    process(record("doc-1", null));
    process(record(null, null));

    assertThat(harness.extractOutputValues()).singleElement().satisfies(a -> {
      assertThat(a.id).isEqualTo("doc-1");
      assertThat(a.delete).isTrue();
    });
    List<DeadLetter> dead = deadLetters();
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).reason).isEqualTo("missing_id");
    assertThat(dead.get(0).key).isNull();
    assertThat(dead.get(0).value).isNull();
  }

  @Test
  void eachReasonHasItsWireName() throws Exception {
    process(record(null, "[1,2,3]"));
    process(record(null, "{\"title\":\"t\"}"));
    process(record(null, "{\"id\":\"has space\",\"title\":\"t\"}"));
    process(record("doc-2", "{\"id\":\"doc-1\",\"title\":\"t\"}"));
    process(record(null, "{\"id\":\"doc-1\",\"title\":5}"));
    process(record(null, "{\"id\":\"doc-1\",\"title\":\" \",\"body\":\"\"}"));
    process(record(null, "{\"id\":\"doc-1\",\"body\":\"" + "x".repeat(100_001) + "\"}"));
    process(record(null, "{\"id\":\"doc-1\",\"title\":\"t\",\"vector\":[0.1,0.2]}"));
    process(record(null, "{\"op\":\"merge\",\"id\":\"doc-1\",\"title\":\"t\"}"));
    process(record(null, "{\"id\":\"doc-1\",\"title\":\"t\",\"tags\":[\"" + "x".repeat(40_000) + "\"]}"));

    assertThat(harness.extractOutputValues()).isEmpty();
    assertThat(deadLetters()).extracting(d -> d.reason).containsExactly(
        "malformed_json", "missing_id", "invalid_id", "key_mismatch", "wrong_type", "empty_document",
        "body_too_large", "wrong_vector_dimension", "unknown_op", "field_too_large");
    assertThat(deadLetters()).extracting(d -> d.sourceOffset)
        .containsExactly(100L, 101L, 102L, 103L, 104L, 105L, 106L, 107L, 108L, 109L);
  }

  @Test
  void goodAndBadRecordsAreSeparatedInOrder() throws Exception {
    process(record("doc-1", "{\"id\":\"doc-1\",\"title\":\"one\"}"));
    process(record("doc-2", "not json"));
    process(record("doc-3", "{\"id\":\"doc-3\",\"title\":\"three\"}"));
    process(record("doc-4", "{\"op\":\"delete\",\"id\":\"doc-4\"}"));

    assertThat(harness.extractOutputValues()).extracting(a -> a.id).containsExactly("doc-1", "doc-3", "doc-4");
    assertThat(deadLetters()).extracting(d -> new String(d.key, StandardCharsets.UTF_8)).containsExactly("doc-2");
  }
}
