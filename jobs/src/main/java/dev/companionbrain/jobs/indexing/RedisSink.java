package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.cache.GenerationNotice;
import dev.companionbrain.core.cache.RedisKeys;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.index.RetryPolicy;
import dev.companionbrain.core.cache.RedisConnector;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
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
 * increments the index generation and announces it as a {@link GenerationNotice} listing the ids
 * the checkpoint upserted and deleted (none past {@link IndexingConfig#generationChangesMax()}): on
 * the Redis channel (the query services' cache-invalidation signal), as the newest notice and as the
 * generation's own notice for 10 minutes ({@link RedisKeys#generationNotice(long)}), and on the
 * generations topic (the cache warming job's signal).
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
  private final int maxChanges;

  /**
   * What one writer wrote between two checkpoints.
   *
   * @param count document writes and deletes
   * @param oldestProducedAt the smallest Kafka timestamp among them, epoch ms (0 when none is known)
   * @param upserted the ids written (their last operation a write), in order; null when the changes are
   *     not listed (more than the bound, or a committable of a job older than the lists)
   * @param deleted the ids deleted (their last operation a delete), in order; null when not listed
   */
  public record Writes(long count, long oldestProducedAt, List<String> upserted, List<String> deleted) {
    static final Writes NONE = new Writes(0, 0, List.of(), List.of());

    /** Copies the lists (unmodifiable); a null list stays null. */
    public Writes {
      upserted = upserted == null ? null : List.copyOf(upserted);
      deleted = deleted == null ? null : List.copyOf(deleted);
    }

    /** Writes whose changes are not listed. */
    public Writes(long count, long oldestProducedAt) {
      this(count, oldestProducedAt, null, null);
    }

    /** Whether the ids are listed (both lists present). */
    public boolean listsChanges() {
      return upserted != null && deleted != null;
    }

    /** One more action produced at {@code producedAt} (0 or less: unknown); the lists are kept as they are. */
    Writes plus(long producedAt) {
      return new Writes(count + 1, oldest(oldestProducedAt, producedAt), upserted, deleted);
    }

    /** The same count and timestamp, listing {@code changes} (not listed when they are not). */
    Writes listing(Changes changes) {
      return new Writes(count, oldestProducedAt, changes.upserted(), changes.deleted());
    }

    /**
     * The writes of several writers (or of checkpoints whose commit was put off) as one, listing at most
     * {@code maxChanges} ids. The lists are a union: the Redis sink runs one writer, and a job restored
     * from more writers' state had its ids keyed to one writer each (the stream is keyed by the Kafka
     * key, the document id), so no id is in two writers' lists; the last-operation-wins rule across
     * checkpoints of one writer ({@link Changes#record(Writes)}) is applied in the order given, which is
     * the order of the checkpoints. Any writes not listing their changes make the sum not list them.
     */
    static Writes merge(Collection<Writes> all, int maxChanges) {
      long count = 0;
      long oldest = 0;
      Changes changes = new Changes(maxChanges);
      for (Writes w : all) {
        count += w.count;
        oldest = oldest(oldest, w.oldestProducedAt);
        changes.record(w);
      }
      return new Writes(count, oldest, changes.upserted(), changes.deleted());
    }

    private static long oldest(long a, long b) {
      return a <= 0 ? Math.max(0, b) : b <= 0 ? a : Math.min(a, b);
    }
  }

  /**
   * @param redisUri redis://[:password@]host:port, or several seeds of a Redis Cluster ({@link RedisConnector})
   * @param visibility where the Elasticsearch index is: before each bump the committer refreshes it,
   *     so a new generation never meets a page computed before the checkpoint's documents were
   *     searchable; where the generations topic is; and how many changed ids a notice lists at most
   *     (null: no refresh, notices on Redis only, the catalogue's {@link Setting#GENERATION_CHANGES_MAX})
   */
  public RedisSink(String redisUri, IndexingConfig visibility) {
    this.redisUri = redisUri;
    this.visibility = visibility;
    this.maxChanges = visibility == null ? Integer.parseInt(Setting.GENERATION_CHANGES_MAX.defaultValue())
        : visibility.generationChangesMax();
  }

  @Override
  public SinkWriter<IndexAction> createWriter(WriterInitContext context) {
    if (visibility != null && visibility.replay()) {
      return new ReplayWriter();
    }
    return new RedisWriter(redisUri, context.metricGroup(), policy(), maxChanges);
  }

  /**
   * A replay's writer ({@link IndexingConfig#replay()}): nothing of a version being filled reaches
   * Redis, so the served version's hydration entries and generations are the live job's alone; no
   * committable, and a committer that opens nothing ({@link #createCommitter}). The same sink (and uid)
   * as a serving job's, so the replay's savepoint starts it serving.
   */
  private static final class ReplayWriter implements org.apache.flink.api.connector.sink2.CommittingSinkWriter<IndexAction, Writes> {
    @Override
    public void write(IndexAction action, Context context) {
      // nothing: see the class
    }

    @Override
    public void flush(boolean endOfInput) {
      // nothing written
    }

    @Override
    public Collection<Writes> prepareCommit() {
      return List.of();
    }

    @Override
    public void close() {
      // nothing opened
    }
  }

  /**
   * Announces a generation that changed every document ({@code documents} of them, none listed) on
   * {@code config}'s Redis and generations topic, as a checkpoint's committer does: after a switch to
   * another version, no query service keeps a window computed on the version before. Returns the
   * generation.
   */
  public static long announceSwitch(IndexingConfig config, long documents) throws InterruptedException, IOException {
    GenerationCommitter committer = new GenerationCommitter(config.engines().redisUri(), config,
        RetryPolicy.tolerating(config.engineOutageToleranceMillis()), config.generationChangesMax());
    try {
      return committer.announce(new Writes(Math.max(1, documents), 0));
    } finally {
      committer.close();
    }
  }

  @Override
  public Committer<Writes> createCommitter(CommitterInitContext context) {
    if (visibility != null && visibility.replay()) {
      // a replay's writer hands over nothing: a committer that opens no connection, so that nothing of
      // Redis, Elasticsearch or Kafka can fail the replay's stop with a savepoint
      return new Committer<>() {
        @Override
        public void commit(Collection<CommitRequest<Writes>> requests) {
          // nothing: see ReplayWriter
        }

        @Override
        public void close() {
          // nothing opened
        }
      };
    }
    return new GenerationCommitter(redisUri, visibility, policy(), maxChanges);
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
    private final RedisConnector client;
    private final RedisConnector.Connection connection;
    private final org.elasticsearch.client.RestClient elasticsearch;
    private final String index;
    private final KafkaProducer<String, String> notices;
    private final String noticesTopic;
    private final RetryPolicy retry;
    private final int maxChanges;

    GenerationCommitter(String uri, IndexingConfig visibility, RetryPolicy policy, int maxChanges) {
      retry = policy;
      this.maxChanges = maxChanges;
      client = RedisConnector.create(uri, RedisConnector.Options.WRITING);
      connection = client.connect();
      elasticsearch = visibility == null ? null : IndexingJob.elasticsearchClient(visibility);
      index = visibility == null ? null : visibility.elasticsearchIndex();
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
      Writes written = Writes.merge(requests.stream().map(CommitRequest::getCommittable).toList(), maxChanges);
      if (written.count() == 0) {
        return;
      }
      announce(written);
    }

    /** Refreshes the index, counts the generation up and announces it; returns the generation. */
    long announce(Writes written) throws InterruptedException {
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
        // this generation's changes, for a query service that missed it on the channel
        connection.sync().setex(RedisKeys.generationNotice(generation), RedisKeys.GENERATION_NOTICE_TTL_SECONDS, notice);
        connection.sync().publish(RedisKeys.GENERATION_CHANNEL, notice);
        if (notices != null) {
          send(new ProducerRecord<>(noticesTopic, Long.toString(generation), notice));
        }
        return generation;
      });
      LOG.debug("index generation {} after {} writes ({})", generation, written.count(),
          written.listsChanges() ? written.upserted().size() + " upserted, " + written.deleted().size() + " deleted"
              : "changes not listed");
      return generation;
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
      return new GenerationNotice(generation, publishedAt, written.count(), written.oldestProducedAt(),
          written.upserted(), written.deleted());
    }

    @Override
    public void close() throws IOException {
      connection.close();
      client.close();
      if (notices != null) {
        notices.close(Duration.ofSeconds(5));
      }
      if (elasticsearch != null) {
        elasticsearch.close();
      }
    }
  }

  /**
   * Version 3: count and oldest Kafka timestamp (8 bytes each), then the upserted and the deleted ids,
   * each list as its size (4 bytes; -1: not listed) and its ids (4 bytes of length, then UTF-8). Version
   * 2 (count and timestamp, 16 bytes) and version 1 (a bare count, 8 bytes, what a checkpoint taken
   * before notices had timestamps holds) are still read, their changes not listed and the version 1
   * timestamp unknown (0).
   */
  static final class WritesSerializer implements SimpleVersionedSerializer<Writes> {
    @Override
    public int getVersion() {
      return 3;
    }

    @Override
    public byte[] serialize(Writes writes) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeLong(writes.count());
      out.writeLong(writes.oldestProducedAt());
      writeIds(out, writes.listsChanges() ? writes.upserted() : null);
      writeIds(out, writes.listsChanges() ? writes.deleted() : null);
      return bytes.toByteArray();
    }

    private static void writeIds(DataOutputStream out, List<String> ids) throws IOException {
      if (ids == null) {
        out.writeInt(-1);
        return;
      }
      out.writeInt(ids.size());
      for (String id : ids) {
        byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
      }
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
      if (version == 3 && serialized.length >= 24) {
        try {
          Writes writes = new Writes(bytes.getLong(), bytes.getLong(), readIds(bytes), readIds(bytes));
          if (!bytes.hasRemaining()) {
            return writes;
          }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
          // a truncated or corrupt committable: refused below
        }
      }
      throw new IOException("unknown committable version " + version + " (" + serialized.length + " bytes)");
    }

    private static List<String> readIds(ByteBuffer bytes) {
      int size = bytes.getInt();
      if (size < 0) {
        return null;
      }
      List<String> ids = new ArrayList<>(); // no capacity from a size that may be corrupt
      for (int i = 0; i < size; i++) {
        int length = bytes.getInt();
        if (length < 0 || length > bytes.remaining()) {
          throw new IllegalArgumentException("id of " + length + " bytes");
        }
        byte[] utf8 = new byte[length];
        bytes.get(utf8);
        ids.add(new String(utf8, StandardCharsets.UTF_8));
      }
      return ids;
    }
  }
}
