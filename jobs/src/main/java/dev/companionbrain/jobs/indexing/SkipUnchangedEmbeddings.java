package dev.companionbrain.jobs.indexing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by document id: remembers a hash of the embedded text (title + body) of the last version,
 * and marks an upsert for embedding only when the producer supplied no vector and the text changed.
 * An unchanged text leaves the vector out, so the sinks keep the stored one.
 */
public final class SkipUnchangedEmbeddings extends KeyedProcessFunction<String, IndexAction, IndexAction> {
  private transient ValueState<String> textHash;
  private transient Counter skipped;

  @Override
  public void open(OpenContext openContext) {
    textHash = getRuntimeContext().getState(new ValueStateDescriptor<>("embedded-text-hash", Types.STRING));
    skipped = getRuntimeContext().getMetricGroup().counter("embeddings_skipped");
  }

  @Override
  public void processElement(IndexAction action, Context ctx, Collector<IndexAction> out) throws Exception {
    if (action.delete) {
      textHash.clear();
      out.collect(action);
      return;
    }
    String hash = hash(action.document().embeddingText());
    if (action.vector != null) {
      textHash.update(hash);
      action.needsEmbedding = false;
    } else if (hash.equals(textHash.value())) {
      skipped.inc();
      action.needsEmbedding = false;
    } else {
      textHash.update(hash);
      action.needsEmbedding = true;
    }
    out.collect(action);
  }

  static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return java.util.Base64.getEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
