package dev.companionbrain.jobs.warming;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A warm request as a record of topic {@code cache.warm}: its JSON, keyed by the window's cache key, so
 * the requests of one window land on one partition and the query services share the work through
 * their consumer group.
 */
final class WarmRequests implements KafkaRecordSerializationSchema<WarmRecord> {
  private final String topic;

  WarmRequests(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(WarmRecord request, KafkaSinkContext context, Long timestamp) {
    return new ProducerRecord<>(topic, request.key.getBytes(StandardCharsets.UTF_8), request.json);
  }
}
