package dev.companionbrain.jobs.indexing;

import static dev.companionbrain.jobs.indexing.Actions.delete;
import static dev.companionbrain.jobs.indexing.Actions.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SkipUnchangedEmbeddingsTest {
  private KeyedOneInputStreamOperatorTestHarness<String, IndexAction, IndexAction> harness;
  private long timestamp = 1_000;

  private static KeyedOneInputStreamOperatorTestHarness<String, IndexAction, IndexAction> newHarness()
      throws Exception {
    KeyedProcessOperator<String, IndexAction, IndexAction> operator =
        new KeyedProcessOperator<>(new SkipUnchangedEmbeddings());
    KeySelector<IndexAction, String> byId = a -> a.id;
    return new KeyedOneInputStreamOperatorTestHarness<>(operator, byId, Types.STRING);
  }

  @BeforeEach
  void open() throws Exception {
    harness = newHarness();
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  private static IndexAction upsertWithVector(String id, String title, String body) {
    IndexAction a = upsert(id, title, body);
    a.vector = vector();
    return a;
  }

  private static float[] vector() {
    float[] v = new float[384];
    for (int i = 0; i < v.length; i++) {
      v[i] = i / 512f;
    }
    return v;
  }

  /** Processes one action and returns the single action it produced. */
  private IndexAction process(IndexAction action) throws Exception {
    int before = harness.extractOutputValues().size();
    harness.processElement(new StreamRecord<>(action, timestamp++));
    List<IndexAction> out = harness.extractOutputValues();
    assertThat(out).hasSize(before + 1);
    return out.get(out.size() - 1);
  }

  @Test
  void firstUpsertWithoutVectorNeedsEmbedding() throws Exception {
    IndexAction out = process(upsert("doc-1", "Title", "Body"));

    assertThat(out.needsEmbedding).isTrue();
    assertThat(out.vector).isNull();
    assertThat(out.id).isEqualTo("doc-1");
    assertThat(out.title).isEqualTo("Title");
    assertThat(out.body).isEqualTo("Body");
    assertThat(out.tags).containsExactly("t1");
    assertThat(out.sourceTimestamp).isEqualTo(42);
  }

  @Test
  void sameTextAgainIsNotEmbeddedAndCarriesNoVector() throws Exception {
    process(upsert("doc-1", "Title", "Body"));

    IndexAction again = process(upsert("doc-1", "Title", "Body"));

    assertThat(again.needsEmbedding).isFalse();
    assertThat(again.vector).isNull();
    assertThat(again.delete).isFalse();
  }

  @Test
  void changedTitleNeedsEmbedding() throws Exception {
    process(upsert("doc-1", "Title", "Body"));

    assertThat(process(upsert("doc-1", "New title", "Body")).needsEmbedding).isTrue();
    assertThat(process(upsert("doc-1", "New title", "Body")).needsEmbedding).isFalse();
  }

  @Test
  void changedBodyNeedsEmbedding() throws Exception {
    process(upsert("doc-1", "Title", "Body"));

    assertThat(process(upsert("doc-1", "Title", "Body, edited")).needsEmbedding).isTrue();
  }

  @Test
  void changesOutsideTheEmbeddedTextDoNotNeedEmbedding() throws Exception {
    process(upsert("doc-1", "Title", "Body"));
    IndexAction retagged = upsert("doc-1", "Title", "Body");
    retagged.tags = new String[] {"other", "tags"};
    retagged.url = "https://example.org/moved";
    retagged.updatedAt = "2025-01-01T00:00:00Z";

    IndexAction out = process(retagged);

    assertThat(out.needsEmbedding).isFalse();
    assertThat(out.tags).containsExactly("other", "tags");
    assertThat(out.url).isEqualTo("https://example.org/moved");
  }

  @Test
  void revertingToAnEarlierTextNeedsEmbedding() throws Exception {
    process(upsert("doc-1", "A", "Body"));
    process(upsert("doc-1", "B", "Body"));

    assertThat(process(upsert("doc-1", "A", "Body")).needsEmbedding).isTrue();
  }

  @Test
  void producerVectorIsKeptAndRemembered() throws Exception {
    IndexAction withVector = process(upsertWithVector("doc-1", "Title", "Body"));

    assertThat(withVector.needsEmbedding).isFalse();
    assertThat(withVector.vector).containsExactly(vector());

    IndexAction sameTextNoVector = process(upsert("doc-1", "Title", "Body"));

    assertThat(sameTextNoVector.needsEmbedding).isFalse();
    assertThat(sameTextNoVector.vector).isNull();
  }

  @Test
  void producerVectorOnChangedTextIsUsedAsIs() throws Exception {
    process(upsert("doc-1", "Title", "Body"));

    IndexAction out = process(upsertWithVector("doc-1", "Other title", "Other body"));

    assertThat(out.needsEmbedding).isFalse();
    assertThat(out.vector).containsExactly(vector());
    // the producer's vector is now the stored one for that text
    assertThat(process(upsert("doc-1", "Other title", "Other body")).needsEmbedding).isFalse();
    assertThat(process(upsert("doc-1", "Title", "Body")).needsEmbedding).isTrue();
  }

  @Test
  void deletePassesThroughAndForgetsTheText() throws Exception {
    process(upsert("doc-1", "Title", "Body"));

    IndexAction deleted = process(delete("doc-1"));

    assertThat(deleted.delete).isTrue();
    assertThat(deleted.id).isEqualTo("doc-1");
    assertThat(deleted.needsEmbedding).isFalse();
    assertThat(process(upsert("doc-1", "Title", "Body")).needsEmbedding).isTrue();
  }

  @Test
  void deleteOfAnUnknownIdIsHarmless() throws Exception {
    IndexAction deleted = process(delete("never-seen"));

    assertThat(deleted.delete).isTrue();
    assertThat(process(upsert("never-seen", "Title", "Body")).needsEmbedding).isTrue();
  }

  @Test
  void idsAreIndependent() throws Exception {
    assertThat(process(upsert("doc-a", "Same", "Text")).needsEmbedding).isTrue();
    assertThat(process(upsert("doc-b", "Same", "Text")).needsEmbedding).isTrue();
    assertThat(process(upsert("doc-a", "Same", "Text")).needsEmbedding).isFalse();

    process(delete("doc-b"));

    assertThat(process(upsert("doc-a", "Same", "Text")).needsEmbedding).isFalse();
    assertThat(process(upsert("doc-b", "Same", "Text")).needsEmbedding).isTrue();
  }

  @Test
  void outputKeepsTheRecordTimestamp() throws Exception {
    harness.processElement(new StreamRecord<>(upsert("doc-1", "Title", "Body"), 777L));

    List<StreamRecord<? extends IndexAction>> records = harness.extractOutputStreamRecords();
    assertThat(records).hasSize(1);
    assertThat(records.get(0).getTimestamp()).isEqualTo(777L);
    assertThat(records.get(0).getValue().needsEmbedding).isTrue();
  }

  @Test
  void rememberedTextSurvivesSnapshotAndRestore() throws Exception {
    process(upsert("doc-1", "Title", "Body"));
    process(upsert("doc-2", "Other", "Text"));
    process(delete("doc-2"));

    OperatorSubtaskState snapshot = harness.snapshot(0L, 0L);
    harness.close();
    harness = null;

    KeyedOneInputStreamOperatorTestHarness<String, IndexAction, IndexAction> restored = newHarness();
    harness = restored;
    restored.initializeState(snapshot);
    restored.open();

    assertThat(process(upsert("doc-1", "Title", "Body")).needsEmbedding).isFalse();
    assertThat(process(upsert("doc-1", "Changed", "Body")).needsEmbedding).isTrue();
    assertThat(process(upsert("doc-2", "Other", "Text")).needsEmbedding).isTrue();
    assertThat(process(upsert("doc-3", "Title", "Body")).needsEmbedding).isTrue();
  }
}
