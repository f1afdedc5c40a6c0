package dev.companionbrain.query;

import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.localstack.LocalStack;
import dev.companionbrain.localstack.OnRedisCluster;
import java.util.ArrayList;
import java.util.List;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link CacheIT} again on a real Redis Cluster (three masters, three replicas), the services logged in
 * as the query service's least-privilege ACL user of docs/SECURITY.md, created on every node: windows,
 * refresh claims and hydration entries spread over the masters' slots, the generation's keys in the one
 * slot of their hash tag, the generation channel through the cluster.
 */
class CacheOnRedisClusterIT extends CacheIT implements OnRedisCluster {
  /** What a cluster client needs beyond {@link QueryServiceIT#REDIS_ACL}: reading the topology. */
  static final List<String> CLUSTER_ACL = List.of("+cluster|nodes", "+cluster|myid", "+info");

  private static LocalStack stack;

  @AfterAll
  static void theServiceUserWasNeverRefused() {
    assertThat(stack.redisCluster().aclRefusals()).isEmpty();
  }

  @BeforeAll
  static void asTheServiceUser(LocalStack localStack, Endpoints endpoints) {
    stack = localStack;
    List<String> rules = new ArrayList<>(QueryServiceIT.REDIS_ACL);
    rules.addAll(CLUSTER_ACL);
    stack.redisCluster().setUser(QueryServiceIT.REDIS_USER, rules);
    serviceRedisUri = QueryServiceIT.asTheServiceUser(endpoints.redisUri());
  }
}
