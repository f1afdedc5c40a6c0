package dev.companionbrain.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.cache.RedisKeys;
import dev.companionbrain.core.cache.RedisConnector;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's subscription to the generation notices ({@link RedisKeys#GENERATION_CHANNEL}), for the
 * whole run: when each generation arrived (how many came in a measured period), and the deletes they
 * name ({@link DeletedAnswers}). The notice is read as a JSON tree, so the {@code upserted} and
 * {@code deleted} lists are used when the indexing job writes them and ignored when it does not.
 */
final class GenerationWatch implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RedisConnector client;
  private final StatefulRedisPubSubConnection<String, String> connection;
  private final DeletedAnswers deleted = new DeletedAnswers();
  private final List<Long> arrivals = new ArrayList<>();
  private long unreadable;

  GenerationWatch(String redisUri) {
    client = RedisConnector.create(redisUri, RedisConnector.Options.WRITING);
    connection = client.connectPubSub();
    connection.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        arrived(message, System.nanoTime());
      }
    });
    connection.sync().subscribe(RedisKeys.GENERATION_CHANNEL);
  }

  private void arrived(String message, long at) {
    synchronized (arrivals) {
      arrivals.add(at);
    }
    try {
      JsonNode notice = JSON.readTree(message);
      if (notice != null && notice.isObject()) {
        deleted.notice(notice);
      }
    } catch (java.io.IOException e) {
      synchronized (arrivals) {
        unreadable++;
      }
    }
  }

  /** Notices that arrived in [from, to) ({@link System#nanoTime()}). */
  long generationsBetween(long from, long to) {
    synchronized (arrivals) {
      return arrivals.stream().filter(t -> t >= from && t < to).count();
    }
  }

  DeletedAnswers deleted() {
    return deleted;
  }

  long unreadable() {
    synchronized (arrivals) {
      return unreadable;
    }
  }

  @Override
  public void close() {
    connection.close();
    client.close();
  }
}
