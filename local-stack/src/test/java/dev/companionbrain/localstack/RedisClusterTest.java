package dev.companionbrain.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reading CLUSTER NODES, as redis-cli prints it. */
class RedisClusterTest {
  private static final String NODES = """
      0fd5 127.0.0.1:7106@7206 slave 4630 0 1796310827416 1 connected
      0fe0 127.0.0.1:7103@7203 master - 0 1796310827417 3 connected 10923-16383
      021a 127.0.0.1:7102@7202 master,fail - 0 1796310827115 2 connected
      39c7 127.0.0.1:7104@7204 master - 0 1796310827014 7 connected 5461-10922 [5460->-0fe0]
      4630 127.0.0.1:7101@7201 myself,master - 0 1796310827000 1 connected 0-5459 5460
      """;

  @Test
  void theMasterOfASlotIsTheLiveMasterWhoseRangeHoldsIt() {
    assertThat(RedisCluster.masterPortOf(NODES, 0)).contains(7101);
    assertThat(RedisCluster.masterPortOf(NODES, 5459)).contains(7101);
    assertThat(RedisCluster.masterPortOf(NODES, 5460)).contains(7101);
    assertThat(RedisCluster.masterPortOf(NODES, 5461)).contains(7104);
    assertThat(RedisCluster.masterPortOf(NODES, 10922)).contains(7104);
    assertThat(RedisCluster.masterPortOf(NODES, 10923)).contains(7103);
    assertThat(RedisCluster.masterPortOf(NODES, 16383)).contains(7103);
  }

  @Test
  void aFailedMasterOrAReplicaNeverHoldsASlot() {
    String failed = "021a 127.0.0.1:7102@7202 master,fail - 0 1 2 connected 0-16383\n"
        + "0fd5 127.0.0.1:7106@7206 slave 4630 0 1 1 connected 0-16383\n"
        + "0fd6 127.0.0.1:7107@7207 master,fail? - 0 1 1 connected 0-16383\n";
    assertThat(RedisCluster.masterPortOf(failed, 42)).isEmpty();
    assertThat(RedisCluster.masterPortOf("", 42)).isEmpty();
  }
}
