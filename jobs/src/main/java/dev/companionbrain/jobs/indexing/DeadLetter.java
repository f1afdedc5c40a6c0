package dev.companionbrain.jobs.indexing;

/**
 * A refused record for topic {@code documents.dlq}: the original key and value bytes, the reason,
 * and the source topic/partition/offset. Flink POJO.
 */
public class DeadLetter {
  public byte[] key;
  public byte[] value;
  public String reason;
  public String message;
  public String sourceTopic;
  public int sourcePartition;
  public long sourceOffset;
  public long sourceTimestamp;
  public long rejectedAt;

  public DeadLetter() {}

  public static DeadLetter of(SourceRecord record, String reason, String message, long now) {
    DeadLetter d = new DeadLetter();
    d.key = record.key;
    d.value = record.value;
    d.reason = reason;
    d.message = message;
    d.sourceTopic = record.topic;
    d.sourcePartition = record.partition;
    d.sourceOffset = record.offset;
    d.sourceTimestamp = record.timestamp;
    d.rejectedAt = now;
    return d;
  }
}
