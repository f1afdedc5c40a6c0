package dev.companionbrain.jobs.indexing;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * A dead letter as a Kafka record: key and value are the original bytes, untouched; headers
 * {@code dlq.reason}, {@code dlq.message}, {@code dlq.topic}, {@code dlq.partition},
 * {@code dlq.offset}, {@code dlq.timestamp} (source record time) and {@code dlq.rejected_at} say why and
 * where from.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
  private final String topic;

  public DeadLetterSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, null, d.key, d.value);
    headers(record.headers(), d.reason, d.message, d.sourceTopic, d.sourcePartition, d.sourceOffset,
        d.sourceTimestamp, d.rejectedAt);
    return record;
  }

  static void headers(Headers headers, String reason, String message, String sourceTopic, int partition, long offset,
      long sourceTimestamp, long rejectedAt) {
    headers.add("dlq.reason", bytes(reason));
    headers.add("dlq.message", bytes(message));
    if (sourceTopic != null) {
      headers.add("dlq.topic", bytes(sourceTopic));
      headers.add("dlq.partition", bytes(Integer.toString(partition)));
      headers.add("dlq.offset", bytes(Long.toString(offset)));
      headers.add("dlq.timestamp", bytes(Long.toString(sourceTimestamp)));
    }
    headers.add("dlq.rejected_at", bytes(Long.toString(rejectedAt)));
  }

  private static byte[] bytes(String s) {
    return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
  }
}
