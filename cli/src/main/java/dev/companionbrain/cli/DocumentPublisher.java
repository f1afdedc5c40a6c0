package dev.companionbrain.cli;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** An async Kafka producer of the documents topic that counts what was acknowledged and what failed. */
public final class DocumentPublisher implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final Map<TopicPartition, Long> ends = new java.util.concurrent.ConcurrentHashMap<>();

  public DocumentPublisher(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    producer = new KafkaProducer<>(p);
    this.topic = topic;
  }

  public void send(String key, String value) {
    producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        value.getBytes(StandardCharsets.UTF_8)), (meta, error) -> {
          if (error == null) {
            sent.incrementAndGet();
            ends.merge(new TopicPartition(meta.topic(), meta.partition()), meta.offset() + 1, Math::max);
          } else {
            failed.incrementAndGet();
          }
        });
  }

  public void flush() {
    producer.flush();
  }

  public long sent() {
    return sent.get();
  }

  public long failed() {
    return failed.get();
  }

  /** Per partition, the offset after the last record acknowledged. */
  Map<TopicPartition, Long> ends() {
    return Map.copyOf(ends);
  }

  @Override
  public void close() {
    producer.close();
  }
}
