package dev.companionbrain.query;

import dev.companionbrain.core.embed.Embedder;
import dev.companionbrain.core.embed.EmbeddingModel;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds queries with the model of the vectors the served index holds, and follows it: after
 * {@code ./brain reindex} switched the index's name to a version of another model (issue #21), the
 * next {@link #check()} (before a generation that lists no changes is taken in: the switch announces
 * one) loads
 * that model and embeds with it from then on, so a query embedded by one model never searches another
 * model's vectors for longer than the switch takes.
 */
final class ServedModel implements Embedder {
  private static final Logger LOG = LoggerFactory.getLogger(ServedModel.class);
  private final Supplier<Optional<EmbeddingModel>> recorded;
  private final Function<EmbeddingModel, Embedder> load;
  private volatile Embedder current;

  /**
   * @param initial the embedder of the model the service started with (its index's: checked at start)
   * @param recorded the model the served index records (empty: no index yet)
   * @param load an embedder of a model ({@link Embedder#of})
   */
  ServedModel(Embedder initial, Supplier<Optional<EmbeddingModel>> recorded, Function<EmbeddingModel, Embedder> load) {
    this.current = initial;
    this.recorded = recorded;
    this.load = load;
  }

  /** Reads the served index's model and embeds with it from now on; when it cannot be read, nothing changes. */
  void check() {
    Optional<EmbeddingModel> served;
    try {
      served = recorded.get();
    } catch (RuntimeException e) {
      LOG.debug("cannot read the served index's model: {}", e.getMessage());
      return;
    }
    if (served.isPresent() && served.get() != current.model()) {
      EmbeddingModel before = current.model();
      current = load.apply(served.get());
      LOG.info("the index now holds vectors of {}: queries are embedded with it (was {})", served.get().wireName(),
          before.wireName());
    }
  }

  @Override
  public EmbeddingModel model() {
    return current.model();
  }

  @Override
  public int dimensions() {
    return current.dimensions();
  }

  @Override
  public List<float[]> embedAll(List<String> texts) {
    return current.embedAll(texts);
  }

  @Override
  public float[] embedQuery(String q) {
    return current.embedQuery(q);
  }
}
