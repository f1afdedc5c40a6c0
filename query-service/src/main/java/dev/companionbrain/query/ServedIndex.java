package dev.companionbrain.query;

import dev.companionbrain.core.embed.Embedder;
import dev.companionbrain.core.embed.EmbeddingModel;
import dev.companionbrain.core.index.IndexVersions;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The version of the index this service answers from, and the embedder of its model (issue #21). An
 * answer takes {@link #current()} once and asks every retriever on that version, embedding with that
 * model: no answer fuses two versions' hits, and no query vector of one model searches another's
 * vectors. After {@code ./brain reindex} moved the alias, the next {@link #check()} (before a generation
 * that lists no changes is taken in: the switch announces one) reads the version the alias serves and
 * its model, loads that model if it is another, and answers from then on from that version; the
 * version switched from is kept until {@code --drop-old}, so an answer begun on it still completes.
 */
final class ServedIndex {
  private static final Logger LOG = LoggerFactory.getLogger(ServedIndex.class);

  /**
   * What one answer searches.
   *
   * @param version the index's version ({@link IndexVersions}), or {@link IndexVersions#SERVED} while it
   *     is not known (no index yet: the names that serve are searched)
   * @param embedder the embedder of the version's model
   */
  record Version(int version, Embedder embedder) {}

  /** A version as the served index records it: its number and the model of its vectors. */
  record Recorded(int version, EmbeddingModel model) {}

  private final Supplier<Optional<Recorded>> recorded;
  private final Function<EmbeddingModel, Embedder> load;
  private volatile Version current;

  /**
   * @param initial the embedder of the model the service started with (its index's: checked at start)
   * @param recorded the version the alias serves and its model (empty: no index yet)
   * @param load an embedder of a model ({@link Embedder#of})
   */
  ServedIndex(Embedder initial, Supplier<Optional<Recorded>> recorded, Function<EmbeddingModel, Embedder> load) {
    this.current = new Version(IndexVersions.SERVED, initial);
    this.recorded = recorded;
    this.load = load;
  }

  /** Always the names that serve, with one embedder: for a service over an index that is never reindexed. */
  static ServedIndex fixed(Embedder embedder) {
    return new ServedIndex(embedder, Optional::empty, Embedder::of); // never loads: nothing is ever read
  }

  /** What an answer begun now searches. */
  Version current() {
    return current;
  }

  /** Reads the served version and its model, and answers from them from now on; when they cannot be read, nothing changes. */
  void check() {
    Optional<Recorded> served;
    try {
      served = recorded.get();
    } catch (RuntimeException e) {
      LOG.debug("cannot read the served index's version: {}", e.getMessage());
      return;
    }
    Version before = current;
    if (served.isEmpty() || served.get().version() == before.version() && served.get().model() == before.embedder().model()) {
      return;
    }
    EmbeddingModel model = served.get().model();
    current = new Version(served.get().version(), model == before.embedder().model() ? before.embedder() : load.apply(model));
    LOG.info("answering from version {} of the index, embedding queries with {}{}", served.get().version(), model.wireName(),
        before.version() == IndexVersions.SERVED ? "" : " (was version " + before.version() + ", "
            + before.embedder().model().wireName() + ")");
  }
}
