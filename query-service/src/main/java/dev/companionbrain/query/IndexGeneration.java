package dev.companionbrain.query;

import dev.companionbrain.core.cache.RedisKeys;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index generation the indexing job publishes after each checkpoint that wrote documents.
 * Learned from the Redis channel at once, and re-read every 500 ms in case a message was missed
 * (e.g. while Redis was reconnecting), so a bump reaches this instance within a second.
 */
final class IndexGeneration implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IndexGeneration.class);
  private final AtomicLong current = new AtomicLong();
  private final SharedCache redis;
  private final StatefulRedisPubSubConnection<String, String> pubsub;
  private final ScheduledExecutorService poller;
  private final LongConsumer onChange;

  IndexGeneration(RedisClient client, SharedCache redis, LongConsumer onChange) {
    this.redis = redis;
    this.onChange = onChange;
    StatefulRedisPubSubConnection<String, String> connection = null;
    try {
      connection = client.connectPubSub();
      connection.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          try {
            advance(Long.parseLong(message.trim()));
          } catch (NumberFormatException ignored) {
            // not a generation
          }
        }
      });
      connection.async().subscribe(RedisKeys.GENERATION_CHANNEL);
    } catch (RuntimeException e) {
      LOG.warn("cannot subscribe to index generations ({}); polling only", e.getMessage());
    }
    this.pubsub = connection;
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "index-generation");
      t.setDaemon(true);
      return t;
    });
    poll();
    poller.scheduleWithFixedDelay(this::poll, 500, 500, TimeUnit.MILLISECONDS);
  }

  private void poll() {
    redis.generation().ifPresent(this::advance);
  }

  void advance(long generation) {
    long before = current.getAndAccumulate(generation, Math::max);
    if (generation > before) {
      onChange.accept(generation);
    }
  }

  long current() {
    return current.get();
  }

  @Override
  public void close() {
    poller.shutdownNow();
    if (pubsub != null) {
      pubsub.close();
    }
  }
}
