package dev.companionbrain.jobs.indexing;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Where a sink sends documents an engine refused (the Meilisearch writer's dead letters). */
public final class DeadLetterProducer implements Serializable {
  private final String bootstrapServers;
  private final String topic;

  public DeadLetterProducer(String bootstrapServers, String topic) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
  }

  Open open() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new Open(new KafkaProducer<>(p), topic);
  }

  static final class Open implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    Open(KafkaProducer<byte[], byte[]> producer, String topic) {
      this.producer = producer;
      this.topic = topic;
    }

    void send(String id, String json, String reason, String message) {
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8),
          json.getBytes(StandardCharsets.UTF_8));
      DeadLetterSerializer.headers(record.headers(), reason, message, null, -1, -1, -1, System.currentTimeMillis());
      producer.send(record);
    }

    void flush() {
      producer.flush();
    }

    @Override
    public void close() {
      producer.close();
    }
  }
}
