package dev.companionbrain.query;

import dev.companionbrain.core.embed.Embedder;
import java.util.List;
import java.util.function.Function;

/** The tests' embedder: each text's vector from a function, no model. */
record FunctionEmbedder(int dimensions, Function<String, float[]> vector) implements Embedder {
  @Override
  public List<float[]> embedAll(List<String> texts) {
    return texts.stream().map(vector).toList();
  }
}
