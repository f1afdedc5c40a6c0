package dev.companionbrain.core.embed;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** all-MiniLM-L6-v2 quantized through langchain4j's in-process ONNX runtime; one model per JVM. */
final class MiniLmEmbedder implements Embedder {
  static final Holder INSTANCE = new Holder();

  private final AllMiniLmL6V2QuantizedEmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel();

  @Override
  public int dimensions() {
    return 384;
  }

  @Override
  public List<float[]> embedAll(List<String> texts) {
    List<TextSegment> segments = new ArrayList<>(texts.size());
    for (String text : texts) {
      segments.add(TextSegment.from(text.isBlank() ? "." : text));
    }
    List<Embedding> embeddings = model.embedAll(segments).content();
    List<float[]> vectors = new ArrayList<>(embeddings.size());
    for (Embedding e : embeddings) {
      vectors.add(e.vector());
    }
    return vectors;
  }

  static final class Holder implements Supplier<Embedder> {
    private volatile Embedder embedder;

    @Override
    public Embedder get() {
      Embedder e = embedder;
      if (e == null) {
        synchronized (this) {
          e = embedder;
          if (e == null) {
            e = new MiniLmEmbedder();
            embedder = e;
          }
        }
      }
      return e;
    }
  }
}
