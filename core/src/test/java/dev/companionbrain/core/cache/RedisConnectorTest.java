package dev.companionbrain.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The connector's own logic, without a Redis: how reads are planned and which nodes are routed to. */
class RedisConnectorTest {

  /** Three masters holding the slots as redis-cli --cluster create splits them. */
  private static String masterOf(int slot) {
    return slot <= 5460 ? "a" : slot <= 10922 ? "b" : "c";
  }

  @Test
  void aReadIsGroupedByMasterThenBySlotInTheOrderGiven() {
    List<String> keys = List.of("brain:doc:1", "brain:doc:2", "brain:doc:3", "brain:doc:4", "brain:doc:5",
        "brain:doc:6", "brain:doc:7", "brain:doc:8");
    Map<String, Map<Integer, List<String>>> plan = RedisConnector.ReadPlan.byMaster(keys, RedisConnectorTest::masterOf);
    int keysPlanned = 0;
    for (Map.Entry<String, Map<Integer, List<String>>> master : plan.entrySet()) {
      for (Map.Entry<Integer, List<String>> slot : master.getValue().entrySet()) {
        assertThat(masterOf(slot.getKey())).isEqualTo(master.getKey());
        for (String key : slot.getValue()) {
          assertThat(SlotHash.getSlot(key)).isEqualTo(slot.getKey());
          keysPlanned++;
        }
      }
    }
    assertThat(keysPlanned).isEqualTo(keys.size());
    assertThat(plan.size()).isLessThanOrEqualTo(3);
    // the first master is that of the first key, and within it the first key comes first
    String first = masterOf(SlotHash.getSlot(keys.get(0)));
    assertThat(plan.keySet().iterator().next()).isEqualTo(first);
    assertThat(plan.get(first).values().iterator().next().get(0)).isEqualTo(keys.get(0));
  }

  @Test
  void keysOfOneHashTagAreOneSlotOfOneMaster() {
    List<String> keys = List.of(RedisKeys.GENERATION_NOTICE, RedisKeys.GENERATION, RedisKeys.generationNotice(41),
        RedisKeys.generationNotice(42));
    Map<String, Map<Integer, List<String>>> plan = RedisConnector.ReadPlan.byMaster(keys, RedisConnectorTest::masterOf);
    assertThat(plan).hasSize(1);
    assertThat(plan.values().iterator().next()).hasSize(1);
    assertThat(plan.values().iterator().next().values().iterator().next()).containsExactlyElementsOf(keys);
  }

  @Test
  void aKeyAskedTwiceIsReadOnce() {
    Map<String, Map<Integer, List<String>>> plan =
        RedisConnector.ReadPlan.byMaster(List.of("k", "k", "k"), RedisConnectorTest::masterOf);
    assertThat(plan.values().iterator().next().values().iterator().next()).containsExactly("k");
  }

  @Test
  void aSlotWithoutAKnownMasterFailsThePlan() {
    assertThatThrownBy(() -> RedisConnector.ReadPlan.byMaster(List.of("k"), slot -> null))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("slot " + SlotHash.getSlot("k"));
  }

  @Test
  void failedSuspectedAndAddresslessNodesAreNeverRoutedTo() {
    assertThat(RedisConnector.usable(node(RedisClusterNode.NodeFlag.UPSTREAM))).isTrue();
    assertThat(RedisConnector.usable(node(RedisClusterNode.NodeFlag.REPLICA))).isTrue();
    assertThat(RedisConnector.usable(node(RedisClusterNode.NodeFlag.UPSTREAM, RedisClusterNode.NodeFlag.FAIL))).isFalse();
    assertThat(RedisConnector.usable(node(RedisClusterNode.NodeFlag.UPSTREAM, RedisClusterNode.NodeFlag.EVENTUAL_FAIL)))
        .isFalse();
    assertThat(RedisConnector.usable(node(RedisClusterNode.NodeFlag.UPSTREAM, RedisClusterNode.NodeFlag.NOADDR))).isFalse();
  }

  private static RedisClusterNode node(RedisClusterNode.NodeFlag... flags) {
    RedisClusterNode node = new RedisClusterNode();
    node.setFlags(EnumSet.copyOf(List.of(flags)));
    return node;
  }

  @Test
  void oneRedisOrAClusterIsChosenByTheAddressAndNothingConnectsBeforeAsked() {
    try (RedisConnector one = RedisConnector.create("redis://127.0.0.1:1", RedisConnector.Options.SERVING);
        RedisConnector cluster = RedisConnector.create("redis://127.0.0.1:1,127.0.0.1:2", RedisConnector.Options.WRITING)) {
      assertThat(one.address().cluster()).isFalse();
      assertThat(cluster.address().cluster()).isTrue();
      assertThat(one.options()).isEqualTo(RedisConnector.Options.SERVING);
      assertThat(cluster).hasToString("Redis Cluster 127.0.0.1:1,127.0.0.1:2");
    }
  }

  @Test
  void theServingOptionsFailFastAndTheWritingOnesHoldOn() {
    assertThat(RedisConnector.Options.SERVING.rejectWhenDisconnected()).isTrue();
    assertThat(RedisConnector.Options.SERVING.commandTimeout()).isLessThan(RedisConnector.Options.WRITING.commandTimeout());
    assertThat(RedisConnector.Options.WRITING.rejectWhenDisconnected()).isFalse();
  }
}
