package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.index.RetryPolicy;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Where a sink sends documents an engine refused (Elasticsearch bulk items, Meilisearch tasks): the
 * original key and value bytes with the {@link DeadLetterSerializer} headers, source offset included.
 * While Kafka is down the producer blocks and retries for the outage tolerance ({@code max.block.ms},
 * {@code delivery.timeout.ms}); {@link Open#flush} at each checkpoint then fails the job loudly.
 */
public final class DeadLetterProducer implements Serializable {
  private final String bootstrapServers;
  private final String topic;
  private final long toleranceMillis;

  public DeadLetterProducer(String bootstrapServers, String topic) {
    this(bootstrapServers, topic, RetryPolicy.DEFAULT_TOLERANCE_MILLIS);
  }

  public DeadLetterProducer(String bootstrapServers, String topic, long toleranceMillis) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.toleranceMillis = toleranceMillis;
  }

  /** Producer settings that wait for Kafka as long as the outage tolerance (also for the validation DLQ sink). */
  static Properties tolerating(long toleranceMillis) {
    Properties p = new Properties();
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(toleranceMillis));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(toleranceMillis, 30_000 + 5_000)));
    p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "200");
    return p;
  }

  Open open() {
    Properties p = tolerating(toleranceMillis);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new Open(new KafkaProducer<>(p), topic);
  }

  static final class Open implements AutoCloseable {
    private final Producer<byte[], byte[]> producer;
    private final String topic;

    Open(Producer<byte[], byte[]> producer, String topic) {
      this.producer = producer;
      this.topic = topic;
    }

    /**
     * Dead-letters an action an engine refused: the source record's bytes and offset when the action
     * knows them, else (an action made outside the pipeline) the document as the engines got it.
     */
    void send(IndexAction action, String reason, String message) {
      byte[] key = action.sourceKey != null ? action.sourceKey : action.id.getBytes(StandardCharsets.UTF_8);
      byte[] value = action.sourceValue != null ? action.sourceValue : action.fieldsJson(false);
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, key, value);
      DeadLetterSerializer.headers(record.headers(), reason, message, action.sourceTopic, action.sourcePartition,
          action.sourceOffset, action.sourceTimestamp, System.currentTimeMillis());
      producer.send(record);
    }

    void flush() {
      producer.flush();
    }

    @Override
    public void close() {
      producer.close(java.time.Duration.ofSeconds(5));
    }
  }
}
