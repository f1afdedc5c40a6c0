package dev.companionbrain.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.companionbrain.cli.ComposeTool.Run;
import dev.companionbrain.core.auth.ApiKeyTokens;
import dev.companionbrain.core.auth.Scope;
import dev.companionbrain.core.cache.RedisConnector;
import dev.companionbrain.localstack.RedisCluster;
import dev.companionbrain.query.ApiKeyStore;
import dev.companionbrain.testsupport.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production shape with a Redis Cluster, {@code deploy/compose/redis-cluster.yml} on top of
 * {@code docker-compose.yml}, checked without a Docker engine: the pair as docker-compose 1.29
 * resolves it (every Redis user given the cluster, six cluster nodes, everything that waited for
 * Redis waiting for the whole cluster), the override against the compose-spec schema (dclint), and
 * the two scripts the containers run, run for real against six real cluster-enabled redis-servers:
 * the one-shot joins them into a cluster once, and the api-keys one-shot's key is then found by the
 * query service's key store on that cluster. No container runs here, so this checks what compose
 * would be given and what its scripts do, not a running compose project.
 */
class RedisClusterComposeTest {
  private static final Path REPO = Repository.root();
  private static final Path COMPOSE = REPO.resolve("docker-compose.yml");
  private static final Path CLUSTER = REPO.resolve("deploy/compose/redis-cluster.yml");
  private static final Pattern REQUIRED_VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+):-}");
  private static final ObjectMapper YAML = new YAMLMapper();

  private static Map<String, String> secrets;
  private static JsonNode single;
  private static JsonNode clustered;

  @TempDir Path tmp;

  @BeforeAll
  static void resolve(@TempDir Path dir) throws Exception {
    secrets = new LinkedHashMap<>();
    Matcher m = REQUIRED_VARIABLE.matcher(Files.readString(COMPOSE) + Files.readString(CLUSTER));
    while (m.find()) {
      secrets.put(m.group(1), "test" + m.group(1).replace("_", "").toLowerCase() + "0123456789");
    }
    single = resolved(dir, List.of(COMPOSE));
    clustered = resolved(dir, List.of(COMPOSE, CLUSTER));
  }

  private static JsonNode resolved(Path dir, List<Path> files) throws Exception {
    Run run = ComposeTool.compose(dir, files, secrets, "config");
    assertThat(run.exit()).as("docker-compose config %s:\n%s", files, run.output()).isZero();
    return YAML.readTree(run.stdout());
  }

  @Test
  void dclintFindsNoComposeSpecSchemaErrorInTheOverride() throws Exception {
    Run ok = ComposeTool.dclint(tmp, CLUSTER);
    assertThat(ok.exit()).as(ok.output()).isZero();
    Run wrongType = ComposeTool.dclint(tmp, copyWith(Files.readString(CLUSTER).replaceFirst("\n  restart: unless-stopped\n", "\n  restart: 5\n")));
    assertThat(wrongType.exit()).as(wrongType.output()).isNotZero();
    assertThat(wrongType.output()).contains("invalid-schema").contains("/restart");
  }

  @Test
  void everyRedisUserIsGivenTheClusterAndWaitsForAllOfIt() {
    assertThat(clusterProblems(single, clustered)).isEmpty();
    assertThat(nodes(clustered)).containsExactly("redis", "redis-2", "redis-3", "redis-4", "redis-5", "redis-6");
  }

  /** The check above is shown to find what it looks for: each broken copy is refused, with a reason. */
  @Test
  void aBrokenOverrideIsRefused() throws Exception {
    String text = Files.readString(CLUSTER);
    Map<String, String> broken = new LinkedHashMap<>();
    broken.put("the query service", text.replaceFirst(
        "(?s)  query-service:\n    environment:\n      BRAIN_REDIS_URI: [^\n]*\n", ""));
    broken.put("a node missing from the one-shot", text.replace(", \"redis-6:6379\"]", "]"));
    broken.put("a seed that is no node", text.replaceFirst("@redis:6379,redis-2:6379", "@redis:6379,redis-7:6379"));
    broken.put("a health check that waits for one node only", text.replace(
        "redis-cli cluster info | grep -q '^cluster_state:ok'", "redis-cli ping | grep -q PONG"));
    broken.put("a replica without its master's password", text.replace("masterauth %s\\\\n", ""));
    for (Map.Entry<String, String> copy : broken.entrySet()) {
      assertThat(copy.getValue()).as(copy.getKey()).isNotEqualTo(text);
      JsonNode resolved = resolved(tmp, List.of(COMPOSE, copyWith(copy.getValue())));
      assertThat(clusterProblems(single, resolved)).as(copy.getKey()).isNotEmpty();
    }
  }

  /**
   * What the pair must give: every service that reads {@code BRAIN_REDIS_URI} in the main file gets
   * seeds that are all nodes of the cluster, each node runs with cluster mode, its own data volume
   * and its master's password, the one-shot names every node and does not wait for the health that
   * only it brings, {@code redis} is healthy only once the cluster serves every slot, and every
   * service that waited for Redis still waits for {@code redis} to be healthy.
   */
  static List<String> clusterProblems(JsonNode single, JsonNode clustered) {
    List<String> problems = new ArrayList<>();
    Set<String> nodes = new TreeSet<>(nodes(clustered));
    if (nodes.size() != 6) {
      problems.add("six cluster nodes, found " + nodes);
    }
    Set<String> volumes = new TreeSet<>();
    for (String node : nodes) {
      JsonNode service = clustered.at("/services/" + node);
      String command = service.get("command").toString();
      if (!command.contains("masterauth")) {
        problems.add(node + " has no masterauth: its replica cannot sync");
      }
      if (!command.contains("--appendonly yes")) {
        problems.add(node + " keeps no AOF");
      }
      service.path("volumes").forEach(v -> {
        if (v.asText().contains(":/data")) {
          volumes.add(v.asText().substring(0, v.asText().indexOf(':')));
        }
      });
    }
    if (volumes.size() != nodes.size()) {
      problems.add("each node needs its own /data volume, found " + volumes);
    }
    single.path("services").fields().forEachRemaining(e -> {
      if (e.getValue().path("environment").has("BRAIN_REDIS_URI")) {
        String uri = clustered.at("/services/" + e.getKey() + "/environment/BRAIN_REDIS_URI").asText();
        List<String> seeds = List.of(uri.substring(uri.indexOf('@') + 1).split(","));
        if (seeds.size() < 3) {
          problems.add(e.getKey() + " is given " + seeds.size() + " seed(s), not the cluster's three masters");
        }
        for (String seed : seeds) {
          if (!seed.endsWith(":6379") || !nodes.contains(seed.substring(0, seed.indexOf(':')))) {
            problems.add(e.getKey() + "'s seed " + seed + " is not a cluster node");
          }
        }
      }
    });
    JsonNode oneShot = clustered.at("/services/redis-cluster");
    Set<String> joined = new TreeSet<>();
    oneShot.path("command").forEach(n -> joined.add(n.asText().replace(":6379", "")));
    if (!joined.equals(nodes)) {
      problems.add("the one-shot joins " + joined + ", the nodes are " + nodes);
    }
    if (oneShot.at("/depends_on/redis/condition").asText().equals("service_healthy")) {
      problems.add("the one-shot waits for redis to be healthy, which only it brings about");
    }
    if (!clustered.at("/services/redis/healthcheck/test").toString().contains("cluster_state:ok")) {
      problems.add("redis is healthy before the cluster serves every slot");
    }
    single.path("services").fields().forEachRemaining(e -> {
      String waited = e.getValue().at("/depends_on/redis/condition").asText();
      String waits = clustered.at("/services/" + e.getKey() + "/depends_on/redis/condition").asText();
      if (waited.equals("service_healthy") && !waits.equals("service_healthy")) {
        problems.add(e.getKey() + " no longer waits for the cluster");
      }
    });
    return problems;
  }

  /** The services that run redis-server with cluster mode on. */
  private static List<String> nodes(JsonNode resolved) {
    List<String> nodes = new ArrayList<>();
    resolved.path("services").fields().forEachRemaining(e -> {
      String command = e.getValue().path("command").toString();
      if (command.contains("redis-server") && command.contains("--cluster-enabled yes")) {
        nodes.add(e.getKey());
      }
    });
    return nodes;
  }

  /**
   * The one-shot's script against six real nodes: the first run joins them (three masters with a
   * replica each), a second run finds the cluster and changes nothing, too few nodes is an error;
   * the api-keys one-shot then registers Prometheus's key through a node that may not own its slot,
   * and the key store finds it on the cluster.
   */
  @Test
  void theOneShotsJoinRealNodesOnceAndRegisterAKeyOnTheCluster() throws Exception {
    Path script = REPO.resolve("deploy/compose/redis-cluster.sh");
    try (RedisCluster cluster = RedisCluster.unjoined(tmp.resolve("cluster"))) {
      List<String> join = new ArrayList<>(List.of("sh", script.toString()));
      join.addAll(cluster.nodes());

      Run first = ComposeTool.run(join, tmp, tmp, Set.of("REDISCLI_AUTH"));
      assertThat(first.exit()).as(first.output()).isZero();
      assertThat(first.stdout()).contains("6 nodes form a cluster, every slot served");
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(cluster::healthy);
      assertThat(cluster.servesEverySlot()).isTrue();

      Run again = ComposeTool.run(join, tmp, tmp, Set.of("REDISCLI_AUTH"));
      assertThat(again.exit()).as(again.output()).isZero();
      assertThat(again.stdout()).contains("already form a cluster");

      Run tooFew = ComposeTool.run(join.subList(0, 7), tmp, tmp, Set.of("REDISCLI_AUTH"));
      assertThat(tooFew.exit()).isEqualTo(2);
      assertThat(tooFew.stderr()).contains("name six nodes or more");

      String key = "cb_0123456789ab_" + "k".repeat(43);
      String node = cluster.nodes().get(1);
      Run register = ComposeTool.run(List.of("env", "PROMETHEUS_API_KEY=" + key,
          "REDIS_HOST=" + node.substring(0, node.indexOf(':')), "REDIS_PORT=" + node.substring(node.indexOf(':') + 1),
          "sh", REPO.resolve("deploy/compose/api-keys.sh").toString()), tmp, tmp, Set.of("REDISCLI_AUTH"));
      assertThat(register.exit()).as(register.output()).isZero();
      try (RedisConnector connector = RedisConnector.create(cluster.uri(), RedisConnector.Options.WRITING);
          RedisConnector.Connection connection = connector.connect()) {
        ApiKeyStore store = new ApiKeyStore(connection);
        assertThat(store.find(ApiKeyTokens.hash(key))).hasValueSatisfying(found -> {
          assertThat(found.name()).isEqualTo("prometheus");
          assertThat(found.scopes()).containsExactly(Scope.METRICS);
        });
        assertThat(store.list()).extracting(k -> k.id()).containsExactly(ApiKeyTokens.idOf(key));
      }
    }
  }

  private Path copyWith(String text) throws Exception {
    Path dir = Files.createTempDirectory(tmp, "copy");
    Path file = dir.resolve("redis-cluster.yml");
    Files.writeString(file, text);
    return file;
  }
}
