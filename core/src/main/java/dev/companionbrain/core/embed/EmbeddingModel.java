package dev.companionbrain.core.embed;

import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The sentence models the product embeds with, in process (quantized ONNX models of langchain4j's
 * artifacts), each 384 dimensions. An index holds the vectors of one model only: the index records
 * which ({@link dev.companionbrain.core.index.IndexDefinitions#elasticsearchIndex}), and a job or a
 * service started with another refuses to start ({@link dev.companionbrain.core.index.IndexCreator}).
 */
public enum EmbeddingModel {
  /** all-MiniLM-L6-v2: mean pooling, queries embedded as written. */
  MINILM("all-minilm-l6-v2", "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", PoolingMode.MEAN, ""),
  /**
   * BAAI bge-small-en-v1.5: CLS pooling; a query is embedded after the instruction its authors give
   * for retrieval (documents without it).
   */
  BGE_SMALL("bge-small-en-v1.5", "bge-small-en-v1.5-q.onnx", "bge-small-en-v1.5-q-tokenizer.json", PoolingMode.CLS,
      "Represent this sentence for searching relevant passages: ");

  private final String wireName;
  private final String modelResource;
  private final String tokenizerResource;
  private final PoolingMode pooling;
  private final String queryPrefix;

  EmbeddingModel(String wireName, String modelResource, String tokenizerResource, PoolingMode pooling, String queryPrefix) {
    this.wireName = wireName;
    this.modelResource = modelResource;
    this.tokenizerResource = tokenizerResource;
    this.pooling = pooling;
    this.queryPrefix = queryPrefix;
  }

  /** The name settings and indexes use. */
  public String wireName() {
    return wireName;
  }

  String modelResource() {
    return modelResource;
  }

  String tokenizerResource() {
    return tokenizerResource;
  }

  PoolingMode pooling() {
    return pooling;
  }

  /** The text embedded for the query {@code q}: the model's query instruction, then {@code q}. */
  public String queryText(String q) {
    return queryPrefix + q;
  }

  /** The model the settings catalogue names when {@code BRAIN_EMBEDDING_MODEL} is not set. */
  public static EmbeddingModel catalogueDefault() {
    return fromWire(dev.companionbrain.core.config.Setting.EMBEDDING_MODEL.defaultValue());
  }

  /**
   * The model of that name, in any case.
   *
   * @throws IllegalArgumentException naming the known models
   */
  public static EmbeddingModel fromWire(String name) {
    String wanted = name.strip().toLowerCase(Locale.ROOT);
    for (EmbeddingModel m : values()) {
      if (m.wireName.equals(wanted)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown embedding model '" + name + "'; known: "
        + Arrays.stream(values()).map(EmbeddingModel::wireName).collect(Collectors.joining(", ")));
  }
}
