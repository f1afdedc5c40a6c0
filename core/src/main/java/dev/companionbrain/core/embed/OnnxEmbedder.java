package dev.companionbrain.core.embed;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.companionbrain.core.text.VisibleText;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One of the {@link EmbeddingModel}s, quantized (the model and tokenizer of langchain4j's artifact),
 * through langchain4j's in-process ONNX encoder; each model loaded once per JVM.
 *
 * <p>The session is our own, with one ONNX Runtime thread per call, and a batch is spread over one
 * Java thread per core, a text each. ONNX Runtime's default (a thread pool per call as wide as the
 * machine, under langchain4j's own per-text parallelism) oversubscribes the cores: measured on two
 * cores, 106 docs/s with the default against 130 this way, and 79 against 94 with a third busy thread
 * competing for the cores, as the engines do during indexing.
 */
final class OnnxEmbedder implements Embedder {
  private static final java.util.Map<EmbeddingModel, Embedder> LOADED = new java.util.EnumMap<>(EmbeddingModel.class);

  private final EmbeddingModel which;
  private final Model model;

  private OnnxEmbedder(EmbeddingModel which, int threads) {
    this.which = which;
    AtomicInteger n = new AtomicInteger();
    this.model = new Model(which, Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "embedding-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }));
  }

  /** The model, loaded by its first user in this JVM (the better part of a second). */
  static synchronized Embedder of(EmbeddingModel which) {
    return LOADED.computeIfAbsent(which, m -> new OnnxEmbedder(m, Math.max(1, Runtime.getRuntime().availableProcessors())));
  }

  @Override
  public EmbeddingModel model() {
    return which;
  }

  @Override
  public int dimensions() {
    return 384;
  }

  @Override
  public List<float[]> embedAll(List<String> texts) {
    List<TextSegment> segments = new ArrayList<>(texts.size());
    for (String text : texts) {
      // a text with nothing visible would leave the tokenizer no token, and the encoder refuses that
      segments.add(TextSegment.from(VisibleText.isEmpty(text) ? "." : text));
    }
    List<Embedding> embeddings = model.embedAll(segments).content();
    List<float[]> vectors = new ArrayList<>(embeddings.size());
    for (Embedding e : embeddings) {
      vectors.add(e.vector());
    }
    return vectors;
  }

  /** langchain4j's model with a session of one intra-op thread; texts of a batch run on the executor. */
  private static final class Model extends AbstractInProcessEmbeddingModel {
    private final OnnxBertBiEncoder encoder;

    Model(EmbeddingModel which, Executor executor) {
      super(executor);
      ClassLoader loader = OnnxEmbedder.class.getClassLoader();
      try (InputStream model = loader.getResourceAsStream(which.modelResource());
          InputStream tokenizer = loader.getResourceAsStream(which.tokenizerResource())) {
        if (model == null || tokenizer == null) {
          throw new IllegalStateException(which.modelResource() + " or " + which.tokenizerResource() + " is not on the classpath");
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        this.encoder = new OnnxBertBiEncoder(environment, environment.createSession(model.readAllBytes(), options),
            tokenizer, which.pooling());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (OrtException e) {
        throw new IllegalStateException("cannot load " + which.modelResource(), e);
      }
    }

    @Override
    protected OnnxBertBiEncoder model() {
      return encoder;
    }

    @Override
    protected Integer knownDimension() {
      return 384;
    }
  }
}
