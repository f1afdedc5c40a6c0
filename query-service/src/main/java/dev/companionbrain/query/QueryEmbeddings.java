package dev.companionbrain.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.companionbrain.core.embed.Embedder;
import dev.companionbrain.core.text.VisibleText;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Query embeddings, cached by model and normalised query text and computed on a small bounded pool
 * (the model is CPU-bound: one thread per core); when the pool's queue is full the call fails at once
 * and the vector retriever is skipped, rather than queueing without bound.
 */
final class QueryEmbeddings implements AutoCloseable {
  private final Cache<Key, float[]> cache = Caffeine.newBuilder().maximumSize(50_000).build();
  private final ThreadPoolExecutor pool;
  private final Timer computing;

  /** @param registry where the time of each computed embedding goes ({@link SearchStages#EMBEDDING}) */
  QueryEmbeddings(MeterRegistry registry) {
    this.computing = SearchStages.timer(registry, SearchStages.EMBEDDING);
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    this.pool = new ThreadPoolExecutor(threads, threads, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(256), r -> {
      Thread t = new Thread(r, "query-embedding");
      t.setDaemon(true);
      return t;
    });
  }

  /** {@code q}'s vector by {@code embedder} (the model of the version an answer searches: {@link ServedIndex}). */
  CompletableFuture<float[]> embed(Embedder embedder, String q, boolean bypassCache) {
    String text = VisibleText.normalize(q); // the cache key's form: the model is uncased
    if (bypassCache) {
      return CompletableFuture.supplyAsync(() -> computed(embedder, text), (Executor) pool);
    }
    // keyed by model too: after the served index changed model, no vector of the other is reused
    Key key = new Key(embedder.model(), text);
    float[] cached = cache.getIfPresent(key);
    if (cached != null) {
      return CompletableFuture.completedFuture(cached);
    }
    return CompletableFuture.supplyAsync(() -> cache.get(key, k -> computed(embedder, k.text())), (Executor) pool);
  }

  private record Key(dev.companionbrain.core.embed.EmbeddingModel model, String text) {}

  private float[] computed(Embedder embedder, String text) {
    long began = System.nanoTime();
    float[] vector = embedder.embedQuery(text);
    computing.record(System.nanoTime() - began, TimeUnit.NANOSECONDS);
    return vector;
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
