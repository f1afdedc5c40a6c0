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

/** Creates the job's topics when they are missing, so the source never starts on a topic that is not there. */
public final class Topics {
  /** Partitions of a topic this job creates (a cluster's own default applies to topics created elsewhere). */
  public static final int PARTITIONS = 2;

  private Topics() {}

  /** Creates missing topics with one replica (a single local broker). */
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
