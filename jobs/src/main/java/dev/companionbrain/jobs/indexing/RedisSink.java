package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.cache.RedisKeys;
import dev.companionbrain.core.index.RetryPolicy;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Redis warm: each document's display fields (the query service's hydration cache) are set,
 * deletes remove them. After each completed checkpoint that carried writes, the committer
 * increments the index generation and publishes it: the query services' cache-invalidation signal.
 */
public final class RedisSink implements Sink<IndexAction>, SupportsCommitter<Long> {
  private static final Logger LOG = LoggerFactory.getLogger(RedisSink.class);
  private final String redisUri;
  private final IndexingConfig visibility;

  /**
   * @param redisUri redis://[:password@]host:port
   * @param visibility where the Elasticsearch index is: before each bump the committer refreshes it,
   *     so a new generation never meets a page computed before the checkpoint's documents were
   *     searchable (null: no refresh)
   */
  public RedisSink(String redisUri, IndexingConfig visibility) {
    this.redisUri = redisUri;
    this.visibility = visibility;
  }

  @Override
  @Deprecated
  public SinkWriter<IndexAction> createWriter(InitContext context) {
    throw new UnsupportedOperationException("Flink 1.20 calls createWriter(WriterInitContext)");
  }

  @Override
  public SinkWriter<IndexAction> createWriter(WriterInitContext context) {
    return new RedisWriter(redisUri, context.metricGroup(), policy());
  }

  @Override
  public Committer<Long> createCommitter(CommitterInitContext context) {
    return new GenerationCommitter(redisUri, visibility, policy());
  }

  /**
   * A client that tries to reconnect at most every 2 s while Redis is down (Lettuce's default backs off
   * to 30 s, so a writer could wait half a minute after Redis is back). Close with {@link #shutdown}.
   */
  static RedisClient client(String uri) {
    ClientResources resources = ClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
        .build();
    return RedisClient.create(resources, uri);
  }

  static void shutdown(RedisClient client) {
    client.shutdown(0, 2, TimeUnit.SECONDS);
    client.getResources().shutdown(0, 2, TimeUnit.SECONDS);
  }

  private RetryPolicy policy() {
    return RetryPolicy.tolerating(visibility == null ? RetryPolicy.DEFAULT_TOLERANCE_MILLIS
        : visibility.engineOutageToleranceMillis());
  }

  @Override
  public SimpleVersionedSerializer<Long> getCommittableSerializer() {
    return new CountSerializer();
  }

  /** Bumps and publishes the index generation once per checkpoint that wrote documents. */
  static final class GenerationCommitter implements Committer<Long> {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final org.elasticsearch.client.RestClient elasticsearch;
    private final String index;
    private final RetryPolicy retry;

    GenerationCommitter(String uri, IndexingConfig visibility, RetryPolicy policy) {
      retry = policy;
      client = RedisSink.client(uri);
      connection = client.connect();
      elasticsearch = visibility == null ? null : IndexingJob.elasticsearchClient(visibility);
      index = visibility == null ? null : visibility.index();
    }

    @Override
    public void commit(Collection<CommitRequest<Long>> requests) throws InterruptedException {
      long written = requests.stream().mapToLong(CommitRequest::getCommittable).sum();
      if (written == 0) {
        return;
      }
      // retried here, blocking the sink's task (back-pressure), not with retryLater: Flink retries a
      // commit only a few times in a row before failing the job
      // (past the outage tolerance the policy throws, naming the engines)
      retry.call("Redis/Elasticsearch (index generation)", () -> {
        if (elasticsearch != null) {
          // everything of this checkpoint is in Elasticsearch; make it searchable before announcing it
          elasticsearch.performRequest(new org.elasticsearch.client.Request("POST", "/" + index + "/_refresh"));
        }
        long generation = connection.sync().incr(RedisKeys.GENERATION);
        connection.sync().publish(RedisKeys.GENERATION_CHANNEL, Long.toString(generation));
        LOG.debug("index generation {} after {} writes", generation, written);
        return generation;
      });
    }

    @Override
    public void close() throws java.io.IOException {
      connection.close();
      RedisSink.shutdown(client);
      if (elasticsearch != null) {
        elasticsearch.close();
      }
    }
  }

  static final class CountSerializer implements SimpleVersionedSerializer<Long> {
    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(Long count) {
      return ByteBuffer.allocate(8).putLong(count).array();
    }

    @Override
    public Long deserialize(int version, byte[] serialized) throws IOException {
      if (version != 1 || serialized.length != 8) {
        throw new IOException("unknown committable version " + version);
      }
      return ByteBuffer.wrap(serialized).getLong();
    }
  }
}
