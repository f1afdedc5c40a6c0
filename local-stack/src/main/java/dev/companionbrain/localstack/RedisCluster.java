package dev.companionbrain.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster on loopback: three masters and three replicas of Debian's redis-server with
 * {@code --cluster-enabled yes} on free ports (their bus ports free too), joined by
 * {@code redis-cli --cluster create … --cluster-replicas 1 --cluster-yes} as redis' own
 * {@code utils/create-cluster} does. A node that stops answering is failed over by the cluster after
 * {@link #NODE_TIMEOUT} (15 s by default in Redis; 2 s here, as a production cluster on one network
 * may set it).
 */
public final class RedisCluster implements AutoCloseable {
  /** cluster-node-timeout: how long a master may be unreachable before its replica takes over. */
  public static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);
  private static final int NODES = 6;

  private final Path dir;
  private final List<Node> nodes;

  /** One redis-server of the cluster. */
  record Node(int port, int busPort, ChildProcess process) {}

  private RedisCluster(Path dir, List<Node> nodes) {
    this.dir = dir;
    this.nodes = nodes;
  }

  /** Starts six nodes, creates the cluster and waits until every node reports it {@code ok}. */
  public static RedisCluster start(Path dir) {
    RedisCluster cluster = unjoined(dir);
    try {
      List<String> create = new ArrayList<>(List.of(cliBinary(), "--cluster", "create"));
      create.addAll(cluster.nodes());
      create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
      ChildProcess.runToCompletion("redis-cli --cluster create", create, dir, dir.resolve("create.log"), 60);
      Await.until("the redis cluster to be ok on every node", Duration.ofSeconds(30), cluster.nodes.get(0).process,
          cluster::healthy);
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * Six cluster-enabled nodes on free ports, each answering, not yet joined: for a tool that joins
   * them itself (the compose file's one-shot, in its test). Close it to stop them.
   */
  public static RedisCluster unjoined(Path dir) {
    String server = RedisServer.binary();
    int[] ports = Ports.free(NODES * 2);
    List<Node> nodes = new ArrayList<>();
    RedisCluster cluster = new RedisCluster(dir, nodes);
    try {
      for (int i = 0; i < NODES; i++) {
        nodes.add(startNode(server, dir, ports[i], ports[NODES + i]));
      }
      for (Node node : nodes) {
        Await.until("redis cluster node on port " + node.port, Duration.ofSeconds(20), node.process,
            () -> cluster.cli(node.port, "PING").map(out -> out.contains("PONG")).orElse(false));
      }
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** {@code 127.0.0.1:port} of every node, in the order they were started. */
  public List<String> nodes() {
    return nodes.stream().map(n -> "127.0.0.1:" + n.port).toList();
  }

  private static Node startNode(String server, Path dir, int port, int busPort) {
    Path nodeDir = dir.resolve("node-" + port);
    try {
      Files.createDirectories(nodeDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChildProcess process = ChildProcess.start("redis-cluster-" + port, List.of(server,
        "--bind", "127.0.0.1", "--port", Integer.toString(port), "--cluster-enabled", "yes",
        "--cluster-port", Integer.toString(busPort), "--cluster-config-file", nodeDir.resolve("nodes.conf").toString(),
        "--cluster-node-timeout", Long.toString(NODE_TIMEOUT.toMillis()), "--save", "", "--appendonly", "no",
        "--dir", nodeDir.toString(), "--daemonize", "no", "--loglevel", "warning"), nodeDir, nodeDir.resolve("redis.log"));
    return new Node(port, busPort, process);
  }

  private static String cliBinary() {
    return Executables.find("redis-cli").orElseThrow(() -> new MissingPrerequisiteException(
        "redis-cli not found: install the Debian package redis-tools"));
  }

  /**
   * Every live node says {@code cluster_state:ok} and knows all the others, and every replica has
   * finished its first sync (a replica still syncing cannot take over: a master killed then would
   * stay down).
   */
  public boolean healthy() {
    for (Node node : nodes) {
      if (!node.process.isAlive()) {
        continue;
      }
      Optional<String> info = cli(node.port, "CLUSTER", "INFO");
      if (info.isEmpty() || !info.get().contains("cluster_state:ok")
          || !info.get().contains("cluster_known_nodes:" + NODES)) {
        return false;
      }
      Optional<String> replication = cli(node.port, "INFO", "replication");
      if (replication.isEmpty() || replication.get().contains("role:slave")
          && !replication.get().contains("master_link_status:up")) {
        return false;
      }
    }
    return true;
  }

  /** One command through redis-cli on one node: its output, or empty when the node does not answer. */
  Optional<String> cli(int port, String... command) {
    List<String> line = new ArrayList<>(List.of(cliBinary(), "-h", "127.0.0.1", "-p", Integer.toString(port)));
    line.addAll(List.of(command));
    try {
      Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        return Optional.empty();
      }
      String text = new String(out, StandardCharsets.UTF_8);
      return text.startsWith("Could not connect") ? Optional.empty() : Optional.of(text);
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** {@code redis://127.0.0.1:p1,127.0.0.1:p2,...}: every node a seed. */
  public String uri() {
    return "redis://" + String.join(",", nodes());
  }

  /**
   * The same ACL user on every live node ({@code ACL SETUSER name rules...}), as a production cluster
   * has (a node killed by {@link #kill} stays down, and needs none).
   */
  public void setUser(String name, List<String> rules) {
    for (Node node : nodes) {
      if (!node.process.isAlive()) {
        continue;
      }
      List<String> command = new ArrayList<>(List.of("ACL", "SETUSER", name));
      command.addAll(rules);
      String out = cli(node.port, command.toArray(String[]::new))
          .orElseThrow(() -> new IllegalStateException("redis cluster node " + node.port + " does not answer"));
      if (!out.strip().equals("OK")) {
        throw new IllegalStateException("ACL SETUSER " + name + " on " + node.port + ": " + out.strip());
      }
    }
  }

  /**
   * What the live nodes' ACL logs hold ({@code ACL LOG}: each command or key a user was refused), one
   * string a node, empty when nothing was refused.
   */
  public List<String> aclRefusals() {
    List<String> out = new ArrayList<>();
    for (Node node : nodes) {
      if (node.process.isAlive()) {
        cli(node.port, "ACL", "LOG").map(String::strip).filter(log -> !log.isEmpty())
            .ifPresent(log -> out.add(node.port + ": " + log.replace('\n', ' ')));
      }
    }
    return out;
  }

  /** The port of the master that holds {@code slot}, as the live nodes see it. */
  public int masterOf(int slot) {
    for (Node node : nodes) {
      if (!node.process.isAlive()) {
        continue;
      }
      Optional<String> table = cli(node.port, "CLUSTER", "NODES");
      if (table.isPresent()) {
        return masterPortOf(table.get(), slot)
            .orElseThrow(() -> new IllegalStateException("no master holds slot " + slot));
      }
    }
    throw new IllegalStateException("no redis cluster node answers");
  }

  /**
   * Reads {@code CLUSTER NODES}: each line {@code id host:port@bus flags master ping pong epoch link
   * slot...}, a slot as {@code n} or {@code from-to}; the master that is not failed holding {@code slot}.
   */
  static Optional<Integer> masterPortOf(String clusterNodes, int slot) {
    for (String line : clusterNodes.split("\n")) {
      String[] fields = line.strip().split(" ");
      if (fields.length < 9) {
        continue;
      }
      List<String> flags = List.of(fields[2].split(","));
      if (!flags.contains("master") || flags.contains("fail") || flags.contains("fail?")) {
        continue;
      }
      for (int i = 8; i < fields.length; i++) {
        String range = fields[i];
        if (range.startsWith("[")) {
          continue; // a slot being migrated or imported
        }
        int dash = range.indexOf('-');
        int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
        int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1));
        if (slot >= from && slot <= to) {
          String address = fields[1];
          return Optional.of(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1, address.indexOf('@'))));
        }
      }
    }
    return Optional.empty();
  }

  /** kill -9 of the node on {@code port} (to test a failover); returns the time it was killed, epoch ms. */
  public long kill(int port) {
    Node node = node(port);
    node.process.kill();
    return System.currentTimeMillis();
  }

  /** Whether the cluster has a live master for every slot again (after a {@link #kill}). */
  public boolean servesEverySlot() {
    for (Node node : nodes) {
      if (node.process.isAlive()) {
        Optional<String> info = cli(node.port, "CLUSTER", "INFO");
        return info.isPresent() && info.get().contains("cluster_state:ok")
            && info.get().contains("cluster_slots_ok:16384");
      }
    }
    return false;
  }

  private Node node(int port) {
    return nodes.stream().filter(n -> n.port == port).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no redis cluster node on port " + port));
  }

  /** The nodes' process ids (for checks that nothing outlives the stack). */
  List<Long> pids() {
    return nodes.stream().map(n -> n.process.pid()).toList();
  }

  @Override
  public void close() {
    for (Node node : nodes) {
      node.process.close();
    }
  }

  @Override
  public String toString() {
    return "redis cluster " + uri() + " in " + dir;
  }
}
