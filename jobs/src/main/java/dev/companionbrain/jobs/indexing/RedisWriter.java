package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.cache.HydrationEntry;
import dev.companionbrain.core.cache.RedisKeys;
import dev.companionbrain.core.index.RetryPolicy;
import dev.companionbrain.core.cache.RedisConnector;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

/**
 * Pipelines SET/DEL of hydration entries; everything written is acknowledged before a checkpoint.
 * While Redis is down the writer waits (Lettuce reconnects by itself and re-sends what it had sent;
 * a command that failed or timed out is issued again, SET and DEL being idempotent; on a Redis Cluster
 * whose master was lost, the command issued again goes to the replica that took its slots over) with the {@link RetryPolicy}'s
 * back-off, holding the stream back; past the outage tolerance it fails, naming Redis. Each
 * checkpoint's committable counts the actions and lists the ids written and deleted ({@link Changes}).
 */
final class RedisWriter implements CommittingSinkWriter<IndexAction, RedisSink.Writes> {
  private static final int PIPELINE = 100;

  private final RedisConnector client;
  private final RedisConnector.Connection connection;
  private final RedisClusterAsyncCommands<String, String> commands;
  private final List<Pending> pending = new ArrayList<>();
  private final RetryPolicy policy;
  private final RetryPolicy.Outage outage;

  private record Pending(IndexAction action, RedisFuture<?> future) {}
  private final Counter written;
  private RedisSink.Writes sinceCheckpoint = RedisSink.Writes.NONE;
  private final Changes changes;

  /** @param maxChanges the most ids a checkpoint's committable lists ({@link Changes}) */
  RedisWriter(String uri, SinkWriterMetricGroup metrics, RetryPolicy policy, int maxChanges) {
    this.policy = policy;
    this.changes = new Changes(maxChanges);
    this.outage = policy.outage("Redis (hydration entries)");
    client = RedisConnector.create(uri, RedisConnector.Options.WRITING);
    connection = client.connect();
    connection.setAutoFlushCommands(false);
    commands = connection.async();
    written = metrics.addGroup("sink", "redis").counter("documents_written");
  }

  @Override
  public void write(IndexAction action, Context context) throws IOException, InterruptedException {
    pending.add(issue(action));
    sinceCheckpoint = sinceCheckpoint.plus(action.sourceTimestamp);
    changes.record(action.id, action.delete);
    written.inc();
    if (pending.size() >= PIPELINE) {
      settle();
    }
  }

  private Pending issue(IndexAction action) throws IOException {
    return new Pending(action, action.delete
        ? commands.del(RedisKeys.document(action.id))
        : commands.set(RedisKeys.document(action.id), hydrationJson(action)));
  }

  static String hydrationJson(IndexAction a) {
    return HydrationEntry.of(a.document()).toJson();
  }

  private void settle() throws IOException, InterruptedException {
    while (!pending.isEmpty()) {
      connection.flushCommands();
      try {
        java.util.concurrent.CompletableFuture.allOf(pending.stream()
            .map(p -> p.future().toCompletableFuture()).toArray(java.util.concurrent.CompletableFuture[]::new))
            .get(1, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // some failed or are waiting for a reconnect: sorted out below
      }
      List<Pending> again = new ArrayList<>();
      Object cause = "no answer within 1 s";
      for (Pending p : pending) {
        var f = p.future().toCompletableFuture();
        if (!f.isDone()) {
          again.add(p); // Lettuce re-sends it when the connection is back
        } else if (f.isCompletedExceptionally()) {
          cause = f.handle((v, t) -> (Object) t).getNow("failed");
          again.add(new Pending(p.action(), null));
        }
      }
      if (again.isEmpty()) {
        pending.clear();
        outage.recovered();
        return;
      }
      Thread.sleep(outage.failed(cause)); // past the tolerance this throws, naming Redis
      pending.clear();
      for (Pending p : again) {
        pending.add(p.future() == null ? issue(p.action()) : p);
      }
    }
  }

  @Override
  public void flush(boolean endOfInput) throws IOException, InterruptedException {
    settle();
  }

  @Override
  public Collection<RedisSink.Writes> prepareCommit() throws IOException, InterruptedException {
    settle();
    RedisSink.Writes writes = sinceCheckpoint.listing(changes);
    sinceCheckpoint = RedisSink.Writes.NONE;
    changes.clear();
    return writes.count() == 0 ? List.of() : List.of(writes);
  }

  @Override
  public void close() {
    connection.close();
    client.close();
  }
}
