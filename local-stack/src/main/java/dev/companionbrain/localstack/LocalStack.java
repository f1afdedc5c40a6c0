package dev.companionbrain.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real engines on loopback: Kafka (KRaft), OpenSearch with k-NN (the Elasticsearch API), Meilisearch
 * and Redis, each on free ports in its own temporary folder. Started in parallel; {@link #close()}
 * (or JVM exit) stops every process it started and removes the folders.
 *
 * <pre>{@code
 * try (LocalStack stack = LocalStack.start()) {
 *   Endpoints e = stack.endpoints();
 * }
 * }</pre>
 */
public final class LocalStack implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

  private final Path root;
  private final KafkaBroker kafka;
  private final OpenSearchNode opensearch;
  private final MeilisearchServer meilisearch;
  private volatile RedisServer redis;
  private volatile RedisCluster redisCluster;
  /** What the JVM's shutdown hook stops: every engine started, including those started later. */
  private final List<AutoCloseable> started;
  private final Duration startup;
  private final Thread shutdownHook;
  private volatile boolean closed;

  private LocalStack(Path root, KafkaBroker kafka, OpenSearchNode opensearch, MeilisearchServer meilisearch,
      RedisServer redis, List<AutoCloseable> started, Duration startup, Thread shutdownHook) {
    this.started = started;
    this.root = root;
    this.kafka = kafka;
    this.opensearch = opensearch;
    this.meilisearch = meilisearch;
    this.redis = redis;
    this.startup = startup;
    this.shutdownHook = shutdownHook;
  }

  /** Starts all four engines and waits until each really answers. */
  public static LocalStack start() {
    long began = System.nanoTime();
    Path root;
    try {
      root = Files.createTempDirectory("companion-brain-stack-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path meiliBinary = MeilisearchBinary.resolve();
    List<AutoCloseable> started = new ArrayList<>();
    Thread hook = new Thread(() -> closeAll(started, root), "local-stack-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    ExecutorService starter = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "local-stack-start");
      t.setDaemon(true);
      return t;
    });
    try {
      CompletableFuture<RedisServer> redis = begin(starter, started, () -> RedisServer.start(dir(root, "redis")));
      CompletableFuture<MeilisearchServer> meili =
          begin(starter, started, () -> MeilisearchServer.start(dir(root, "meilisearch"), meiliBinary));
      CompletableFuture<KafkaBroker> kafka = begin(starter, started, () -> KafkaBroker.start(dir(root, "kafka")));
      CompletableFuture<OpenSearchNode> os = begin(starter, started, () -> OpenSearchNode.start(dir(root, "opensearch")));
      CompletableFuture.allOf(redis, meili, kafka, os).join();
      Duration took = Duration.ofNanos(System.nanoTime() - began);
      LocalStack stack = new LocalStack(root, kafka.join(), os.join(), meili.join(), redis.join(), started, took, hook);
      LOG.info("local stack up in {} ms: {}", took.toMillis(), stack.endpoints());
      return stack;
    } catch (CompletionException e) {
      closeAll(started, root);
      removeHook(hook);
      throw e.getCause() instanceof RuntimeException r ? r : e;
    } finally {
      starter.shutdownNow();
    }
  }

  private static <T extends AutoCloseable> CompletableFuture<T> begin(ExecutorService pool, List<AutoCloseable> started,
      Supplier<T> start) {
    return CompletableFuture.supplyAsync(() -> {
      T engine = start.get();
      synchronized (started) {
        started.add(engine);
      }
      return engine;
    }, pool);
  }

  private static Path dir(Path root, String name) {
    try {
      return Files.createDirectories(root.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Endpoints endpoints() {
    return new Endpoints(kafka.bootstrapServers(), opensearch.url(), meilisearch.url(), meilisearch.masterKey,
        meilisearch.searchKey(), redis.uri());
  }

  /** Wall time from {@link #start()} until all four engines answered. */
  public Duration startupTime() {
    return startup;
  }

  /** Process ids of the engines (for checks that nothing outlives the stack). */
  public List<Long> pids() {
    List<Long> pids = new ArrayList<>(List.of(kafka.process().pid(), opensearch.process().pid(),
        meilisearch.process().pid(), redis.process().pid()));
    if (redisCluster != null) {
      pids.addAll(redisCluster.pids());
    }
    return pids;
  }

  /**
   * A real Redis Cluster (three masters, three replicas; {@link RedisCluster}), started on first use
   * beside the stack's one Redis and stopped with the stack.
   */
  public synchronized RedisCluster redisCluster() {
    if (redisCluster == null) {
      long began = System.nanoTime();
      RedisCluster cluster = RedisCluster.start(dir(root, "redis-cluster"));
      synchronized (started) {
        started.add(cluster);
      }
      redisCluster = cluster;
      LOG.info("redis cluster up in {} ms: {}", (System.nanoTime() - began) / 1_000_000, cluster.uri());
    }
    return redisCluster;
  }

  /** The stack's endpoints with the Redis Cluster ({@link #redisCluster()}) in place of the one Redis. */
  public Endpoints endpointsOnRedisCluster() {
    return endpoints().withRedisUri(redisCluster().uri());
  }

  /** Stops Meilisearch alone (to test degraded answers); the rest keeps running. */
  public void stopMeilisearch() {
    meilisearch.close();
  }

  /** Stops Redis alone (to test serving without the shared cache). */
  public void stopRedis() {
    redis.close();
  }

  /** Starts an empty Redis again on the same port (to test that clients reconnect by themselves). */
  public synchronized void restartRedis() {
    redis.close();
    redis = RedisServer.start(dir(root, "redis"), redis.port);
  }

  /** Pauses OpenSearch (SIGSTOP): connections open, no answers, like a hung machine. */
  public void freezeOpenSearch() {
    opensearch.process().signal("STOP");
  }

  /** Resumes OpenSearch (SIGCONT). */
  public void thawOpenSearch() {
    opensearch.process().signal("CONT");
  }

  /** Pauses Meilisearch (SIGSTOP). */
  public void freezeMeilisearch() {
    meilisearch.process().signal("STOP");
  }

  /** Resumes Meilisearch (SIGCONT). */
  public void thawMeilisearch() {
    meilisearch.process().signal("CONT");
  }

  /**
   * Stops Redis as a persistent Redis stops (SHUTDOWN SAVE), so that {@link #startRedisAgain()} brings
   * back the data: an outage of the cache server, not a loss of its contents.
   */
  public synchronized void stopRedisKeepingData() {
    redis.shutdownSaving();
  }

  /** Starts Redis again on the same port and folder, with what {@link #stopRedisKeepingData()} saved. */
  public synchronized void startRedisAgain() {
    redis = RedisServer.start(dir(root, "redis"), redis.port);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<AutoCloseable> engines = new ArrayList<>(List.of(kafka, opensearch, meilisearch, redis));
    if (redisCluster != null) {
      engines.add(redisCluster);
    }
    closeAll(engines, root);
    removeHook(shutdownHook);
    LOG.info("local stack stopped");
  }

  private static void closeAll(List<? extends AutoCloseable> engines, Path root) {
    List<AutoCloseable> copy;
    synchronized (engines) {
      copy = new ArrayList<>(engines);
    }
    copy.parallelStream().forEach(engine -> {
      try {
        engine.close();
      } catch (Exception e) {
        LOG.warn("could not stop {}: {}", engine, e.toString());
      }
    });
    Folders.delete(root);
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
  }
}
