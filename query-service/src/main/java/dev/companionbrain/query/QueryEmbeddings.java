package dev.companionbrain.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.companionbrain.core.embed.Embedder;
import dev.companionbrain.core.text.VisibleText;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Query embeddings, cached by normalised query text and computed on a small bounded pool (the
 * model is CPU-bound: one thread per core); when the pool's queue is full the call fails at once
 * and the vector retriever is skipped, rather than queueing without bound.
 */
final class QueryEmbeddings implements AutoCloseable {
  private final Embedder embedder;
  private final Cache<String, float[]> cache = Caffeine.newBuilder().maximumSize(50_000).build();
  private final ThreadPoolExecutor pool;

  QueryEmbeddings(Embedder embedder) {
    this.embedder = embedder;
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    this.pool = new ThreadPoolExecutor(threads, threads, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(256), r -> {
      Thread t = new Thread(r, "query-embedding");
      t.setDaemon(true);
      return t;
    });
  }

  CompletableFuture<float[]> embed(String q, boolean bypassCache) {
    String key = VisibleText.normalize(q); // the cache key's form: the model is uncased
    if (bypassCache) {
      return CompletableFuture.supplyAsync(() -> embedder.embed(key), (Executor) pool);
    }
    float[] cached = cache.getIfPresent(key);
    if (cached != null) {
      return CompletableFuture.completedFuture(cached);
    }
    return CompletableFuture.supplyAsync(() -> cache.get(key, embedder::embed), (Executor) pool);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
