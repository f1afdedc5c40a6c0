package dev.companionbrain.jobs.latency;

import dev.companionbrain.core.wire.WireJson;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes a POJO as a JSON Kafka record, keyed by a field of it. */
final class JsonRecords<T> implements KafkaRecordSerializationSchema<T> {
  private final String topic;
  private final SerializableKey<T> key;

  interface SerializableKey<T> extends Function<T, String>, java.io.Serializable {}

  JsonRecords(String topic, SerializableKey<T> key) {
    this.topic = topic;
    this.key = key;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
    // the product's one wire mapping: snake_case, like every topic
    return new ProducerRecord<>(topic, key.apply(element).getBytes(StandardCharsets.UTF_8), WireJson.bytes(element));
  }
}
