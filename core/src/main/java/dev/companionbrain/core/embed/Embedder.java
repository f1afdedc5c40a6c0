package dev.companionbrain.core.embed;

import java.util.List;

/** Turns texts into unit-length vectors of {@link #dimensions()} floats. Thread-safe. */
public interface Embedder {
  int dimensions();

  List<float[]> embedAll(List<String> texts);

  default float[] embed(String text) {
    return embedAll(List.of(text)).get(0);
  }

  /** all-MiniLM-L6-v2 (quantized), in process, loaded once per JVM. */
  static Embedder miniLm() {
    return MiniLmEmbedder.INSTANCE.get();
  }
}
