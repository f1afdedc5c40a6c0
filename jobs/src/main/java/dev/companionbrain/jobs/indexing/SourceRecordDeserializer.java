package dev.companionbrain.jobs.indexing;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Keeps the bytes as they are: parsing happens in {@link ValidateRecords}, where failures become dead letters. */
final class SourceRecordDeserializer implements KafkaRecordDeserializationSchema<SourceRecord> {
  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<SourceRecord> out) {
    out.collect(new SourceRecord(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value()));
  }

  @Override
  public TypeInformation<SourceRecord> getProducedType() {
    return TypeInformation.of(SourceRecord.class);
  }
}
