package dev.companionbrain.core.embed;

import java.util.List;

/** Turns texts into unit-length vectors of {@link #dimensions()} floats. Thread-safe. */
public interface Embedder {
  int dimensions();

  List<float[]> embedAll(List<String> texts);

  /** A document's vector (the text as it is). */
  default float[] embed(String text) {
    return embedAll(List.of(text)).get(0);
  }

  /** Which model this is; an index records it, so that no index mixes the vectors of two. */
  default EmbeddingModel model() {
    return EmbeddingModel.MINILM;
  }

  /** A query's vector: the text embedded as the model wants queries ({@link EmbeddingModel#queryText}). */
  default float[] embedQuery(String q) {
    return embed(model().queryText(q));
  }

  /** The model, in process, loaded once per JVM. */
  static Embedder of(EmbeddingModel model) {
    return OnnxEmbedder.of(model);
  }

  /** all-MiniLM-L6-v2 (quantized), in process, loaded once per JVM. */
  static Embedder miniLm() {
    return of(EmbeddingModel.MINILM);
  }
}
