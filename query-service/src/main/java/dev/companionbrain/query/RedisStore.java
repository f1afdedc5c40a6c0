package dev.companionbrain.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import dev.companionbrain.core.cache.GenerationNotice;
import dev.companionbrain.core.cache.RedisKeys;
import io.lettuce.core.SetArgs;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.KeyValue;
import dev.companionbrain.core.cache.RedisConnector;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The query service's Redis gateway: cached windows (L2), their refresh claims, the documents' display
 * fields, the newest generation notice. A window is kept in Smile, Jackson's binary JSON, on a
 * connection with byte values: a third smaller than its JSON and read back three times faster, the
 * bulk of an L2 hit's cost (BENCHMARKS.md, "The L2 hit").
 * Every call is bounded by a short timeout and guarded by a circuit breaker, so a dead Redis costs
 * the request path nothing: reads answer "absent", writes are fire-and-forget. Lettuce reconnects
 * by itself and the breaker lets calls through again once Redis is back. On a Redis Cluster each
 * master has its own breaker ({@link NodeBreakers}): a master lost costs only its own slots' hits.
 */
final class RedisStore implements WindowCache.SharedWindows {
  private static final ObjectMapper SMILE = new ObjectMapper(new SmileFactory());
  private final RedisConnector.Connection connection;
  private final RedisConnector.BinaryConnection windows;
  private final Duration timeout;
  private final Duration pageTtl;
  /** How long one instance's claim to refresh a window keeps the others from computing it too. */
  private static final Duration REFRESH_CLAIM = Duration.ofSeconds(5);
  private final NodeBreakers breakers = new NodeBreakers(CircuitBreakerConfig.custom()
      .slidingWindowSize(10).minimumNumberOfCalls(3).failureRateThreshold(50)
      .waitDurationInOpenState(Duration.ofSeconds(1)).permittedNumberOfCallsInHalfOpenState(1).build());

  /**
   * @param connection to one Redis or a cluster ({@link RedisConnector}), closed with this store; every
   *     call waits at most its command timeout
   * @param windows a connection with byte values to the same Redis, for the windows; closed with this store
   */
  RedisStore(RedisConnector.Connection connection, RedisConnector.BinaryConnection windows, Duration pageTtl) {
    this.connection = connection;
    this.windows = windows;
    this.timeout = connection.commandTimeout();
    this.pageTtl = pageTtl;
  }

  @Override
  public Optional<CandidateWindow> window(String key) {
    return call(windows.nodeOf(key), () -> windows.async().get(key).get(timeout.toMillis(), TimeUnit.MILLISECONDS))
        .flatMap(RedisStore::decode);
  }

  /** A window as L2 keeps it. */
  static byte[] encode(CandidateWindow window) {
    try {
      return SMILE.writeValueAsBytes(window);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The window L2 kept, or empty when unreadable (another format): as if absent, overwritten by the next computation. */
  static Optional<CandidateWindow> decode(byte[] bytes) {
    try {
      return Optional.of(SMILE.readValue(bytes, CandidateWindow.class));
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean claimRefresh(String key, long generation) {
    String claim = RedisKeys.refreshClaim(key, generation);
    Optional<Boolean> claimed = call(connection.nodeOf(claim), () -> "OK".equals(connection.async() // SET NX answers null when the key is there
        .set(claim, "1", SetArgs.Builder.nx().px(REFRESH_CLAIM.toMillis()))
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS)));
    // no answer at all (Redis away, breaker open): refresh here rather than leave the window stale
    return claimed.orElse(true);
  }

  @Override
  public void putWindow(String key, CandidateWindow page) {
    CircuitBreaker breaker = breakers.of(windows.nodeOf(key));
    if (!breaker.tryAcquirePermission()) {
      return;
    }
    try {
      long start = System.nanoTime();
      windows.async().setex(key, pageTtl.toSeconds(), encode(page)).whenComplete((ok, error) -> {
        if (error == null) {
          breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        } else {
          breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, error);
        }
      });
    } catch (Exception e) {
      breaker.onError(0, TimeUnit.NANOSECONDS, e);
    }
  }

  /** The newest generation's notice, or (from a job that wrote none) its bare number. */
  Optional<GenerationNotice> generation() {
    // both keys share the slot of the hash tag {generation}
    return call(connection.nodeOf(RedisKeys.GENERATION), () -> connection.mget(List.of(RedisKeys.GENERATION_NOTICE, RedisKeys.GENERATION))
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS))
        .flatMap(values -> values.stream().filter(KeyValue::hasValue).findFirst())
        .map(value -> {
          try {
            return GenerationNotice.fromJson(value.getValue());
          } catch (java.io.IOException e) {
            return null;
          }
        });
  }

  /** The notices of the given generations that Redis still keeps ({@link RedisKeys#generationNotice}). */
  List<GenerationNotice> notices(List<Long> generations) {
    if (generations.isEmpty()) {
      return List.of();
    }
    List<String> keys = generations.stream().map(RedisKeys::generationNotice).toList();
    List<GenerationNotice> out = new java.util.ArrayList<>();
    call(connection.nodeOf(RedisKeys.GENERATION), () -> connection.mget(keys).get(timeout.toMillis(), TimeUnit.MILLISECONDS)).ifPresent(values -> {
      for (KeyValue<String, String> kv : values) {
        if (kv.hasValue()) {
          try {
            out.add(GenerationNotice.fromJson(kv.getValue()));
          } catch (java.io.IOException ignored) {
            // unreadable: that generation counts as unknown
          }
        }
      }
    });
    return out;
  }

  /** Display-field JSON of each id that Redis has (on a cluster: one round trip per master, {@link RedisConnector.Connection#mget}). */
  Map<String, String> documents(List<String> ids) {
    if (ids.isEmpty()) {
      return Map.of();
    }
    List<String> keys = ids.stream().map(RedisKeys::document).toList();
    Optional<List<KeyValue<String, String>>> values =
        call(NodeBreakers.ACROSS_NODES, () -> connection.mget(keys).get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    Map<String, String> out = new HashMap<>();
    values.ifPresent(list -> {
      for (int i = 0; i < list.size(); i++) {
        KeyValue<String, String> kv = list.get(i);
        if (kv.hasValue()) {
          out.put(ids.get(i), kv.getValue());
        }
      }
    });
    return out;
  }

  boolean ping() {
    return call(NodeBreakers.ACROSS_NODES, () -> connection.async().ping().get(timeout.toMillis(), TimeUnit.MILLISECONDS)).isPresent();
  }

  private interface RedisCall<T> {
    T run() throws Exception;
  }

  /** {@code call} under the breaker of {@code node} (the node its keys live on, or {@link NodeBreakers#ACROSS_NODES}). */
  private <T> Optional<T> call(String node, RedisCall<T> call) {
    CircuitBreaker breaker = breakers.of(node);
    if (!breaker.tryAcquirePermission()) {
      return Optional.empty();
    }
    long start = System.nanoTime();
    try {
      T value = call.run();
      breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      return Optional.ofNullable(value);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      breaker.releasePermission();
      return Optional.empty();
    } catch (Exception e) {
      breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
      return Optional.empty();
    }
  }

  void close() {
    windows.close();
    connection.close();
  }
}
