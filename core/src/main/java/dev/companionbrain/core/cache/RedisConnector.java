package dev.companionbrain.core.cache;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.KeyValueListOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one place a Redis client is made: for one Redis or a Redis Cluster ({@link RedisAddress}), with
 * the same bounded command timeout, the same reconnect back-off (at most 2 s between attempts, where
 * Lettuce's default grows to 30 s) and, on a cluster, topology refreshed every 5 s and at once on
 * MOVED/ASK redirects and failing reconnects (at most once a second), failed nodes never chosen.
 * Every user of Redis in the product (the query service, the indexing job, the CLI, the benchmarks)
 * connects through here, so none of them knows which of the two it talks to.
 */
public final class RedisConnector implements AutoCloseable {
  /** How often a cluster client reads the topology when nothing prompts it. */
  static final Duration PERIODIC_REFRESH = Duration.ofSeconds(5);
  /** The least time between two refreshes prompted by redirects or reconnects. */
  static final Duration ADAPTIVE_REFRESH_LIMIT = Duration.ofSeconds(1);

  /**
   * How the connections behave.
   *
   * @param commandTimeout the longest any command waits for its answer
   * @param connectTimeout the longest a connection's handshake takes
   * @param rejectWhenDisconnected fail commands at once while disconnected (the query service: an
   *     absent cache costs nothing), instead of queueing them for the reconnect (writers that hold back)
   */
  public record Options(Duration commandTimeout, Duration connectTimeout, boolean rejectWhenDisconnected) {
    /** The query service's: 200 ms a command, commands refused while disconnected. */
    public static final Options SERVING = new Options(Duration.ofMillis(200), Duration.ofSeconds(2), true);
    /** The indexing job's and the tools': 5 s a command, commands queued through a reconnect. */
    public static final Options WRITING = new Options(Duration.ofSeconds(5), Duration.ofSeconds(5), false);
  }

  private final RedisAddress address;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final Options options;

  private RedisConnector(RedisAddress address, Options options) {
    this.address = address;
    this.options = options;
    this.resources = ClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
        .build();
    SocketOptions socket = SocketOptions.builder().connectTimeout(options.connectTimeout()).keepAlive(true).build();
    TimeoutOptions timeouts = TimeoutOptions.enabled(options.commandTimeout());
    ClientOptions.DisconnectedBehavior disconnected = options.rejectWhenDisconnected()
        ? ClientOptions.DisconnectedBehavior.REJECT_COMMANDS : ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS;
    List<RedisURI> seeds = new ArrayList<>();
    for (RedisURI seed : address.seeds()) {
      RedisURI copy = RedisURI.builder(seed).withTimeout(options.connectTimeout()).build();
      seeds.add(copy);
    }
    if (address.cluster()) {
      RedisClusterClient cluster = RedisClusterClient.create(resources, seeds);
      cluster.setOptions(ClusterClientOptions.builder()
          .autoReconnect(true)
          .disconnectedBehavior(disconnected)
          .timeoutOptions(timeouts)
          .socketOptions(socket)
          .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
              .enablePeriodicRefresh(PERIODIC_REFRESH)
              .enableAllAdaptiveRefreshTriggers()
              .adaptiveRefreshTriggersTimeout(ADAPTIVE_REFRESH_LIMIT)
              .refreshTriggersReconnectAttempts(2)
              .build())
          .nodeFilter(RedisConnector::usable)
          .build());
      client = cluster;
    } else {
      RedisClient single = RedisClient.create(resources, seeds.get(0));
      single.setOptions(ClientOptions.builder()
          .autoReconnect(true)
          .disconnectedBehavior(disconnected)
          .timeoutOptions(timeouts)
          .socketOptions(socket)
          .build());
      client = single;
    }
  }

  /** A node a client may route to: not failed, not suspected of failing, with an address. */
  static boolean usable(RedisClusterNode node) {
    return !node.is(RedisClusterNode.NodeFlag.FAIL) && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)
        && !node.is(RedisClusterNode.NodeFlag.NOADDR);
  }

  /** A client for {@code uri} ({@link RedisAddress#parse}); nothing connects until {@link #connect()}. */
  public static RedisConnector create(String uri, Options options) {
    return new RedisConnector(RedisAddress.parse(uri), options);
  }

  public RedisAddress address() {
    return address;
  }

  public Options options() {
    return options;
  }

  /** A new connection (thread-safe, to be shared); on a cluster it routes each command to its slot's master. */
  public Connection connect() {
    StatefulConnection<String, String> connection = open(StringCodec.UTF8);
    return connection instanceof StatefulRedisClusterConnection<String, String> cluster
        ? new Connection(cluster, options.commandTimeout())
        : new Connection((StatefulRedisConnection<String, String>) connection, options.commandTimeout());
  }

  /**
   * A new connection whose values are bytes (keys stay text), for values that are not text: the
   * cached windows, kept in a binary form. Routed and bounded as {@link #connect()}'s.
   */
  public BinaryConnection connectBinary() {
    return new BinaryConnection(open(BINARY_VALUES), options.commandTimeout());
  }

  private static final RedisCodec<String, byte[]> BINARY_VALUES = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private <V> StatefulConnection<String, V> open(RedisCodec<String, V> codec) {
    if (client instanceof RedisClusterClient cluster) {
      StatefulRedisClusterConnection<String, V> connection = cluster.connect(codec);
      if (options.rejectWhenDisconnected()) {
        // Lettuce opens a connection to each node on its first command, and a command that meets a
        // connection still opening is refused when disconnected commands are: open them all now
        for (RedisClusterNode node : connection.getPartitions()) {
          if (usable(node) && node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
            try {
              connection.getConnection(node.getUri().getHost(), node.getUri().getPort());
            } catch (RuntimeException e) {
              // that master is away: its first commands will be refused until it is back or replaced
            }
          }
        }
      }
      return connection;
    }
    return ((RedisClient) client).connect(codec);
  }

  /**
   * A pub/sub connection. On a cluster it subscribes on one node; PUBLISH reaches every node of a
   * cluster, and the connection moves to another node when its own is lost.
   */
  public StatefulRedisPubSubConnection<String, String> connectPubSub() {
    return client instanceof RedisClusterClient cluster ? cluster.connectPubSub()
        : ((RedisClient) client).connectPubSub();
  }

  @Override
  public void close() {
    client.shutdown(0, 2, TimeUnit.SECONDS);
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return address.toString();
  }

  /**
   * The node a command on {@code key} goes to: on a cluster, the id of the master holding its slot
   * as the client knows the topology now ("" while no master is known for it); on one Redis, "".
   */
  static String nodeOf(StatefulConnection<String, ?> connection, String key) {
    if (connection instanceof StatefulRedisClusterConnection<String, ?> cluster) {
      RedisClusterNode master = cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(key));
      return master == null ? "" : master.getNodeId();
    }
    return "";
  }

  /** One connection to one Redis or to a cluster, with the commands both understand. */
  public static final class Connection implements AutoCloseable {
    private final StatefulConnection<String, String> connection;
    private final RedisClusterAsyncCommands<String, String> async;
    private final RedisClusterCommands<String, String> sync;
    private final Duration timeout;

    Connection(StatefulRedisConnection<String, String> single, Duration timeout) {
      this.connection = single;
      this.async = single.async();
      this.sync = single.sync();
      this.timeout = timeout;
    }

    Connection(StatefulRedisClusterConnection<String, String> cluster, Duration timeout) {
      this.connection = cluster;
      this.async = cluster.async();
      this.sync = cluster.sync();
      this.timeout = timeout;
    }

    public RedisClusterAsyncCommands<String, String> async() {
      return async;
    }

    public RedisClusterCommands<String, String> sync() {
      return sync;
    }

    /** The longest any of its commands waits for an answer ({@link Options#commandTimeout()}). */
    public Duration commandTimeout() {
      return timeout;
    }

    /** Off: commands are buffered until {@link #flushCommands()} (only on a connection one thread owns). */
    public void setAutoFlushCommands(boolean autoFlush) {
      connection.setAutoFlushCommands(autoFlush);
    }

    public void flushCommands() {
      connection.flushCommands();
    }

    public boolean isOpen() {
      return connection.isOpen();
    }

    /** The node a command on {@code key} goes to now ({@link RedisConnector#nodeOf}): "" on one Redis. */
    public String nodeOf(String key) {
      return RedisConnector.nodeOf(connection, key);
    }

    /**
     * The values of {@code keys}, in their order. On one Redis: one MGET. On a cluster, where one
     * command may only read one slot: the keys grouped by the master that holds their slot, one
     * MGET per slot, and each master's MGETs written in one go, so a read costs one round trip per
     * master rather than one per slot (Lettuce's own cluster MGET sends each slot's as it comes,
     * lettuce#2459). Should the topology have moved under it (a MOVED answer, a node gone), the read
     * is made again through Lettuce's MGET, which follows redirects.
     */
    public CompletableFuture<List<KeyValue<String, String>>> mget(List<String> keys) {
      if (keys.isEmpty()) {
        return CompletableFuture.completedFuture(List.of());
      }
      if (!(connection instanceof StatefulRedisClusterConnection<String, String> cluster)) {
        return async.mget(keys.toArray(String[]::new)).toCompletableFuture();
      }
      return perMaster(cluster, keys).exceptionallyCompose(error -> timedOut(error)
          ? CompletableFuture.failedFuture(error) // no second wait past the bound
          : async.mget(keys.toArray(String[]::new)).toCompletableFuture());
    }

    private static boolean timedOut(Throwable error) {
      Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
          ? error.getCause() : error;
      return cause instanceof java.util.concurrent.TimeoutException
          || cause instanceof io.lettuce.core.RedisCommandTimeoutException;
    }

    private CompletableFuture<List<KeyValue<String, String>>> perMaster(
        StatefulRedisClusterConnection<String, String> cluster, List<String> keys) {
      Map<RedisClusterNode, Map<Integer, List<String>>> plan;
      try {
        plan = ReadPlan.byMaster(keys, slot -> cluster.getPartitions().getMasterBySlot(slot));
      } catch (IllegalStateException e) {
        return CompletableFuture.failedFuture(e);
      }
      Map<String, KeyValue<String, String>> found = new java.util.concurrent.ConcurrentHashMap<>();
      List<CompletableFuture<?>> reads = new ArrayList<>();
      for (Map.Entry<RedisClusterNode, Map<Integer, List<String>>> node : plan.entrySet()) {
        StatefulRedisConnection<String, String> master;
        try {
          // the connection Lettuce routes that master's commands through (keyed by its address)
          master = cluster.getConnection(node.getKey().getUri().getHost(), node.getKey().getUri().getPort());
        } catch (RuntimeException e) {
          return CompletableFuture.failedFuture(e);
        }
        List<RedisCommand<String, String, ?>> batch = new ArrayList<>();
        for (List<String> slotKeys : node.getValue().values()) {
          AsyncCommand<String, String, List<KeyValue<String, String>>> mget = new AsyncCommand<>(new Command<>(
              CommandType.MGET, new KeyValueListOutput<>(StringCodec.UTF8, slotKeys),
              new CommandArgs<>(StringCodec.UTF8).addKeys(slotKeys)));
          batch.add(mget);
          reads.add(mget.thenAccept(values -> values.forEach(kv -> found.put(kv.getKey(), kv))));
        }
        master.dispatch(batch);
      }
      return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
          .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .thenApply(done -> {
            List<KeyValue<String, String>> out = new ArrayList<>(keys.size());
            for (String key : keys) {
              out.add(found.getOrDefault(key, KeyValue.empty(key)));
            }
            return out;
          });
    }

    @Override
    public void close() {
      connection.close();
    }
  }

  /** A connection with text keys and byte values ({@link #connectBinary()}), to one Redis or a cluster. */
  public static final class BinaryConnection implements AutoCloseable {
    private final StatefulConnection<String, byte[]> connection;
    private final RedisClusterAsyncCommands<String, byte[]> async;
    private final Duration timeout;

    BinaryConnection(StatefulConnection<String, byte[]> connection, Duration timeout) {
      this.connection = connection;
      this.async = connection instanceof StatefulRedisClusterConnection<String, byte[]> cluster
          ? cluster.async() : ((StatefulRedisConnection<String, byte[]>) connection).async();
      this.timeout = timeout;
    }

    public RedisClusterAsyncCommands<String, byte[]> async() {
      return async;
    }

    /** The node a command on {@code key} goes to now ({@link RedisConnector#nodeOf}): "" on one Redis. */
    public String nodeOf(String key) {
      return RedisConnector.nodeOf(connection, key);
    }

    /** The longest any of its commands waits for an answer ({@link Options#commandTimeout()}). */
    public Duration commandTimeout() {
      return timeout;
    }

    @Override
    public void close() {
      connection.close();
    }
  }

  /** How a read of many keys is split over a cluster's masters and slots. */
  static final class ReadPlan {
    private ReadPlan() {}

    /**
     * The distinct keys grouped by master, then by slot, each in the order first given.
     *
     * @param masterOfSlot the master holding a slot (null: no master known)
     * @throws IllegalStateException when a slot has no known master
     */
    static <N> Map<N, Map<Integer, List<String>>> byMaster(List<String> keys,
        java.util.function.IntFunction<N> masterOfSlot) {
      Map<N, Map<Integer, List<String>>> plan = new LinkedHashMap<>();
      for (String key : new java.util.LinkedHashSet<>(keys)) {
        int slot = SlotHash.getSlot(key);
        N master = masterOfSlot.apply(slot);
        if (master == null) {
          throw new IllegalStateException("no master known for slot " + slot);
        }
        plan.computeIfAbsent(master, m -> new LinkedHashMap<>()).computeIfAbsent(slot, s -> new ArrayList<>()).add(key);
      }
      return plan;
    }
  }
}
