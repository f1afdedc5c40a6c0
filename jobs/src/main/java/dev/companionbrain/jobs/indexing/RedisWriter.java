package dev.companionbrain.jobs.indexing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.cache.RedisKeys;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

/** Pipelines SET/DEL of hydration entries; everything written is acknowledged before a checkpoint. */
final class RedisWriter implements CommittingSinkWriter<IndexAction, Long> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PIPELINE = 100;

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisAsyncCommands<String, String> commands;
  private final List<RedisFuture<?>> pending = new ArrayList<>();
  private final Counter written;
  private long sinceCheckpoint;

  RedisWriter(String uri, SinkWriterMetricGroup metrics) {
    client = RedisClient.create(uri);
    connection = client.connect();
    connection.setAutoFlushCommands(false);
    commands = connection.async();
    written = metrics.addGroup("sink", "redis").counter("documents_written");
  }

  @Override
  public void write(IndexAction action, Context context) throws IOException {
    if (action.delete) {
      pending.add(commands.del(RedisKeys.document(action.id)));
    } else {
      pending.add(commands.set(RedisKeys.document(action.id), hydrationJson(action)));
    }
    sinceCheckpoint++;
    written.inc();
    if (pending.size() >= PIPELINE) {
      settle();
    }
  }

  static String hydrationJson(IndexAction a) throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("id", a.id);
    doc.put("title", a.title);
    doc.put("url", a.url);
    doc.put("tags", a.tags == null ? List.of() : Arrays.asList(a.tags));
    doc.put("updated_at", a.updatedAt);
    doc.put("snippet", a.document().snippet());
    return JSON.writeValueAsString(doc);
  }

  private void settle() throws IOException {
    if (pending.isEmpty()) {
      return;
    }
    connection.flushCommands();
    boolean done = LettuceFutures.awaitAll(Duration.ofSeconds(30), pending.toArray(new RedisFuture[0]));
    pending.clear();
    if (!done) {
      throw new IOException("Redis did not acknowledge writes within 30 s");
    }
  }

  @Override
  public void flush(boolean endOfInput) throws IOException {
    settle();
  }

  @Override
  public Collection<Long> prepareCommit() throws IOException {
    settle();
    long count = sinceCheckpoint;
    sinceCheckpoint = 0;
    return count == 0 ? List.of() : List.of(count);
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
