package dev.companionbrain.jobs.indexing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the jobs' topics when they are missing, so a source never starts on a topic that is not
 * there; and reads one as raw values.
 */
public final class Topics {
  /** Partitions of a topic this job creates (a cluster's own default applies to topics created elsewhere). */
  public static final int PARTITIONS = 2;
  private static final Logger LOG = LoggerFactory.getLogger(Topics.class);

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

  /** A Kafka sink of the records {@code serializer} makes, at least once (what every job of the product writes). */
  public static <T> org.apache.flink.connector.kafka.sink.KafkaSink<T> sink(String bootstrapServers,
      org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema<T> serializer) {
    return org.apache.flink.connector.kafka.sink.KafkaSink.<T>builder()
        .setBootstrapServers(bootstrapServers)
        .setRecordSerializer(serializer)
        .setDeliveryGuarantee(org.apache.flink.connector.base.DeliveryGuarantee.AT_LEAST_ONCE)
        .build();
  }

  /** Creates missing topics with one replica (a single local broker). */
  public static void ensure(String bootstrapServers, String... topics) {
    ensure(bootstrapServers, (short) 1, topics);
  }

  /** Creates missing topics with {@link #PARTITIONS} partitions of {@code replicationFactor} replicas. */
  public static void ensure(String bootstrapServers, short replicationFactor, String... topics) {
    ensure(bootstrapServers, replicationFactor, Map.of(), topics);
  }

  /**
   * How long a compacted documents topic keeps a delete's tombstone, ms: seven days, longer than the
   * longest replay (a reindex reads the topic from its start; one that met a document's older
   * record after its tombstone was gone would bring the document back).
   */
  public static final long DELETE_RETENTION_MS = TimeUnit.DAYS.toMillis(7);

  /**
   * The configs of a documents topic: log-compacted, so that the topic keeps every live document's
   * last record for as long as it lives (the replay a reindex or a lost engine's rebuild reads), and
   * tombstones for {@link #DELETE_RETENTION_MS}.
   */
  public static final Map<String, String> COMPACTED = Map.of(
      TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
      TopicConfig.DELETE_RETENTION_MS_CONFIG, Long.toString(DELETE_RETENTION_MS));

  /**
   * Creates the documents topic log-compacted ({@link #COMPACTED}) if it is missing; one it finds with
   * another cleanup policy is left as it is and said in one line, since its records expire and no
   * replay can then rebuild an index from it.
   */
  public static void ensureDocuments(String bootstrapServers, short replicationFactor, String topic) {
    try (Admin admin = admin(bootstrapServers)) {
      ensure(admin, bootstrapServers, replicationFactor, COMPACTED, topic);
      String policy;
      try {
        policy = cleanupPolicy(admin, topic);
      } catch (Exception e) {
        LOG.warn("cannot read the cleanup policy of topic {}: {}", topic, e.getMessage());
        return;
      }
      if (!compacts(policy)) {
        LOG.warn("topic {} has cleanup.policy={}: its records expire, so no replay can rebuild an index from it; "
            + "set cleanup.policy=compact (docs/OPERATIONS.md, \"The documents topic\")", topic, policy);
      }
    }
  }

  /** Whether a topic's {@code cleanup.policy} (e.g. {@code compact}, {@code compact,delete}) compacts. */
  static boolean compacts(String policy) {
    if (policy == null) {
      return false;
    }
    for (String p : policy.split(",")) {
      if (p.strip().equals(TopicConfig.CLEANUP_POLICY_COMPACT)) {
        return true;
      }
    }
    return false;
  }

  /** The topic's {@code cleanup.policy} as the broker reports it. */
  public static String cleanupPolicy(Admin admin, String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
    ConfigEntry entry = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
    return entry == null ? null : entry.value();
  }

  private static Admin admin(String bootstrapServers) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
  }

  /** Creates missing topics with {@code configs}, {@link #PARTITIONS} partitions of {@code replicationFactor} replicas. */
  private static void ensure(String bootstrapServers, short replicationFactor, Map<String, String> configs, String... topics) {
    try (Admin admin = admin(bootstrapServers)) {
      ensure(admin, bootstrapServers, replicationFactor, configs, topics);
    }
  }

  private static void ensure(Admin admin, String bootstrapServers, short replicationFactor, Map<String, String> configs,
      String... topics) {
    try {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : topics) {
        if (!existing.contains(topic)) {
          missing.add(new NewTopic(topic, PARTITIONS, replicationFactor).configs(configs));
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
