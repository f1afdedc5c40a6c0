package dev.companionbrain.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The local Redis Cluster is a real one: slots over three masters, ACL users on every node, a failover. */
class RedisClusterIT {
  private static Path dir;
  private static RedisCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("redis-cluster-it-");
    cluster = RedisCluster.start(dir);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      List<Long> pids = cluster.pids();
      cluster.close();
      assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("redis cluster node %d stopped", pid).isFalse());
    }
    Folders.delete(dir);
  }

  @Test
  void threeMastersShareTheSlotsAndAnAclUserWorksOnEveryNode() {
    assertThat(cluster.uri().split(",")).hasSize(6);
    int a = cluster.masterOf(0);
    int b = cluster.masterOf(8000);
    int c = cluster.masterOf(16383);
    assertThat(List.of(a, b, c)).doesNotHaveDuplicates();
    cluster.setUser("brain-test", List.of("on", ">a-password", "~*", "&*", "+@all"));
    RedisClusterClient client = RedisClusterClient.create(
        RedisURI.create(cluster.uri().replace("redis://", "redis://brain-test:a-password@").split(",")[0]));
    try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
      for (int i = 0; i < 50; i++) {
        connection.sync().set("key-" + i, "value-" + i);
      }
      assertThat(connection.sync().get("key-42")).isEqualTo("value-42");
      assertThat(connection.getPartitions().size()).isEqualTo(6);
    } finally {
      client.shutdown();
    }
  }

  @Test
  void aKilledMastersReplicaTakesOverItsSlots() {
    String key = "failover-key";
    int slot = SlotHash.getSlot(key);
    int master = cluster.masterOf(slot);
    RedisClusterClient client = RedisClusterClient.create(RedisURI.create(cluster.uri().split(",")[0]));
    try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
      connection.sync().set(key, "kept");
      connection.sync().getConnection(connection.getPartitions().getMasterBySlot(slot).getNodeId()).waitForReplication(1, 2000);
    } finally {
      client.shutdown();
    }
    cluster.kill(master);
    long killed = System.nanoTime();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> cluster.masterOf(slot) != master && cluster.servesEverySlot());
    assertThat(Duration.ofNanos(System.nanoTime() - killed)).as("failover").isGreaterThanOrEqualTo(RedisCluster.NODE_TIMEOUT);
    assertThat(cluster.cli(cluster.masterOf(slot), "GET", key)).hasValueSatisfying(v -> assertThat(v.strip()).isEqualTo("kept"));
  }
}
