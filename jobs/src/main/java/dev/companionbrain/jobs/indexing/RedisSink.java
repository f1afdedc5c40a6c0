package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.cache.GenerationNotice;
import dev.companionbrain.core.cache.RedisKeys;
import dev.companionbrain.core.index.RetryPolicy;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Redis warm: each document's display fields (the query service's hydration cache) are set,
 * deletes remove them. After each completed checkpoint that carried writes, the committer
 * increments the index generation and announces it as a {@link GenerationNotice}: on the Redis
 * channel (the query services' cache-invalidation signal) and on the generations topic (the cache
 * warming job's signal).
 *
 * <p>When the committer runs, every document of the checkpoint is searchable in both engines: the
 * checkpoint completed, so every sink had flushed before its barrier (the Elasticsearch bulks
 * answered, the Meilisearch writer waited for its tasks to succeed), and the committer refreshes
 * Elasticsearch before it counts up.
 */
public final class RedisSink implements IndexActionSink, SupportsCommitter<RedisSink.Writes> {
  private static final Logger LOG = LoggerFactory.getLogger(RedisSink.class);
  private final String redisUri;
  private final IndexingConfig visibility;

  /**
   * What one writer wrote between two checkpoints.
   *
   * @param count document writes and deletes
   * @param oldestProducedAt the smallest Kafka timestamp among them, epoch ms (0 when none is known)
   */
  public record Writes(long count, long oldestProducedAt) {
    static final Writes NONE = new Writes(0, 0);

    /** One more action produced at {@code producedAt} (0 or less: unknown). */
    Writes plus(long producedAt) {
      return new Writes(count + 1, oldest(oldestProducedAt, producedAt));
    }

    /** The writes of several writers (or of checkpoints whose commit was put off) as one. */
    static Writes merge(Collection<Writes> all) {
      Writes sum = NONE;
      for (Writes w : all) {
        sum = new Writes(sum.count + w.count, oldest(sum.oldestProducedAt, w.oldestProducedAt));
      }
      return sum;
    }

    private static long oldest(long a, long b) {
      return a <= 0 ? Math.max(0, b) : b <= 0 ? a : Math.min(a, b);
    }
  }

  /**
   * @param redisUri redis://[:password@]host:port
   * @param visibility where the Elasticsearch index is: before each bump the committer refreshes it,
   *     so a new generation never meets a page computed before the checkpoint's documents were
   *     searchable; and where the generations topic is (null: no refresh, notices on Redis only)
   */
  public RedisSink(String redisUri, IndexingConfig visibility) {
    this.redisUri = redisUri;
    this.visibility = visibility;
  }

  @Override
  public SinkWriter<IndexAction> createWriter(WriterInitContext context) {
    return new RedisWriter(redisUri, context.metricGroup(), policy());
  }

  @Override
  public Committer<Writes> createCommitter(CommitterInitContext context) {
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
  public SimpleVersionedSerializer<Writes> getCommittableSerializer() {
    return new WritesSerializer();
  }

  /** Bumps the index generation once per checkpoint that wrote documents, and announces it. */
  static final class GenerationCommitter implements Committer<Writes> {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final org.elasticsearch.client.RestClient elasticsearch;
    private final String index;
    private final KafkaProducer<String, String> notices;
    private final String noticesTopic;
    private final RetryPolicy retry;

    GenerationCommitter(String uri, IndexingConfig visibility, RetryPolicy policy) {
      retry = policy;
      client = RedisSink.client(uri);
      connection = client.connect();
      elasticsearch = visibility == null ? null : IndexingJob.elasticsearchClient(visibility);
      index = visibility == null ? null : visibility.index();
      noticesTopic = visibility == null ? null : visibility.generationsTopic();
      notices = visibility == null ? null : producer(visibility);
    }

    private static KafkaProducer<String, String> producer(IndexingConfig config) {
      Properties p = DeadLetterProducer.tolerating(config.engineOutageToleranceMillis());
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      return new KafkaProducer<>(p);
    }

    @Override
    public void commit(Collection<CommitRequest<Writes>> requests) throws InterruptedException {
      Writes written = Writes.merge(requests.stream().map(CommitRequest::getCommittable).toList());
      if (written.count() == 0) {
        return;
      }
      // retried here, blocking the sink's task (back-pressure), not with retryLater: Flink retries a
      // commit only a few times in a row before failing the job
      // (past the outage tolerance the policy throws, naming the engines)
      long generation = retry.call("Redis/Elasticsearch (index generation)", () -> {
        if (elasticsearch != null) {
          // everything of this checkpoint is in Elasticsearch; make it searchable before announcing it
          elasticsearch.performRequest(new org.elasticsearch.client.Request("POST", "/" + index + "/_refresh"));
        }
        return connection.sync().incr(RedisKeys.GENERATION);
      });
      // announced in a second step, so a failed announcement is sent again without counting up again
      String notice = notice(generation, System.currentTimeMillis(), written).toJson();
      retry.call("Redis/Kafka (generation notice)", () -> {
        // the newest notice, for a query service that polls (it learns the publication time too)
        connection.sync().set(RedisKeys.GENERATION_NOTICE, notice);
        connection.sync().publish(RedisKeys.GENERATION_CHANNEL, notice);
        if (notices != null) {
          send(new ProducerRecord<>(noticesTopic, Long.toString(generation), notice));
        }
        return generation;
      });
      LOG.debug("index generation {} after {} writes", generation, written.count());
    }

    /** Sends and waits for the broker's acknowledgement (the producer itself retries for the outage tolerance). */
    private void send(ProducerRecord<String, String> record) throws IOException {
      try {
        notices.send(record).get();
      } catch (ExecutionException e) {
        throw new IOException("Kafka refused the generation notice: " + e.getCause().getMessage(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the policy's next sleep ends the commit
        throw new InterruptedIOException("interrupted while sending the generation notice");
      }
    }

    static GenerationNotice notice(long generation, long publishedAt, Writes written) {
      return new GenerationNotice(generation, publishedAt, written.count(), written.oldestProducedAt());
    }

    @Override
    public void close() throws IOException {
      connection.close();
      RedisSink.shutdown(client);
      if (notices != null) {
        notices.close(Duration.ofSeconds(5));
      }
      if (elasticsearch != null) {
        elasticsearch.close();
      }
    }
  }

  /**
   * Version 2: count and oldest Kafka timestamp, 16 bytes. Version 1 (a bare count, 8 bytes, what a
   * checkpoint taken before notices had timestamps holds) is still read, its timestamp unknown (0).
   */
  static final class WritesSerializer implements SimpleVersionedSerializer<Writes> {
    @Override
    public int getVersion() {
      return 2;
    }

    @Override
    public byte[] serialize(Writes writes) {
      return ByteBuffer.allocate(16).putLong(writes.count()).putLong(writes.oldestProducedAt()).array();
    }

    @Override
    public Writes deserialize(int version, byte[] serialized) throws IOException {
      ByteBuffer bytes = ByteBuffer.wrap(serialized);
      if (version == 1 && serialized.length == 8) {
        return new Writes(bytes.getLong(), 0);
      }
      if (version == 2 && serialized.length == 16) {
        return new Writes(bytes.getLong(), bytes.getLong());
      }
      throw new IOException("unknown committable version " + version + " (" + serialized.length + " bytes)");
    }
  }
}
