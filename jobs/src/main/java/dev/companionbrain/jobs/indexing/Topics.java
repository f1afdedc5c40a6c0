package dev.companionbrain.jobs.indexing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the jobs' topics when they are missing, so a source never starts on a topic that is not
 * there; and reads one as raw values.
 */
public final class Topics {
  /** Partitions of a topic this job creates (a cluster's own default applies to topics created elsewhere). */
  public static final int PARTITIONS = 2;

  private Topics() {}

  /**
   * The values of {@code topic} as bytes, from the group's committed offsets, else from {@code
   * otherwise} (a group's first start).
   */
  public static org.apache.flink.connector.kafka.source.KafkaSource<byte[]> values(String bootstrapServers,
      String topic, String group, org.apache.kafka.clients.consumer.OffsetResetStrategy otherwise) {
    return org.apache.flink.connector.kafka.source.KafkaSource.<byte[]>builder()
        .setBootstrapServers(bootstrapServers)
        .setTopics(topic)
        .setGroupId(group)
        .setStartingOffsets(org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer
            .committedOffsets(otherwise))
        .setDeserializer(org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema
            .valueOnly(org.apache.kafka.common.serialization.ByteArrayDeserializer.class))
        .build();
  }

  /** Creates missing topics with one replica (a single local broker). */
  /** A Kafka sink of the records {@code serializer} makes, at least once (what every job of the product writes). */
  public static <T> org.apache.flink.connector.kafka.sink.KafkaSink<T> sink(String bootstrapServers,
      org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema<T> serializer) {
    return org.apache.flink.connector.kafka.sink.KafkaSink.<T>builder()
        .setBootstrapServers(bootstrapServers)
        .setRecordSerializer(serializer)
        .setDeliveryGuarantee(org.apache.flink.connector.base.DeliveryGuarantee.AT_LEAST_ONCE)
        .build();
  }

  public static void ensure(String bootstrapServers, String... topics) {
    ensure(bootstrapServers, (short) 1, topics);
  }

  /** Creates missing topics with {@link #PARTITIONS} partitions of {@code replicationFactor} replicas. */
  public static void ensure(String bootstrapServers, short replicationFactor, String... topics) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : topics) {
        if (!existing.contains(topic)) {
          missing.add(new NewTopic(topic, PARTITIONS, replicationFactor));
        }
      }
      if (missing.isEmpty()) {
        return;
      }
      try {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot create Kafka topics " + List.of(topics) + " on " + bootstrapServers
          + ": " + e.getMessage(), e);
    }
  }
}
