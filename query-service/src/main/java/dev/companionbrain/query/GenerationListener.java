package dev.companionbrain.query;

import dev.companionbrain.core.cache.GenerationNotice;
import dev.companionbrain.core.cache.RedisKeys;
import dev.companionbrain.core.cache.RedisConnector;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the {@link GenerationClock} with the generations the indexing job publishes after each
 * checkpoint that wrote documents: from the Redis channel at once, and from the newest notice in
 * Redis every 500 ms in case a message was missed (e.g. while Redis was reconnecting). Exports the
 * freshness users see: for each new generation, the time from its oldest document's produce time to
 * this instance answering at that generation ({@code brain_document_freshness}).
 */
final class GenerationListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GenerationListener.class);
  private final GenerationClock generations;
  private final RedisStore redis;
  private final LongSupplier clock;
  private final StatefulRedisPubSubConnection<String, String> pubsub;
  private final ScheduledExecutorService poller;
  private final Timer freshness;
  private final Runnable beforeUnlistedGeneration;

  /**
   * @param beforeUnlistedGeneration run before a newer generation that lists no changes (as a reindex's
   *     switch announces), one after notices that could not be read back, or the first one this
   *     instance sees, is taken in: the served version's check
   */
  GenerationListener(RedisConnector client, RedisStore redis, GenerationClock generations, LongSupplier clock,
      MeterRegistry registry, Runnable beforeUnlistedGeneration) {
    this.beforeUnlistedGeneration = beforeUnlistedGeneration;
    this.redis = redis;
    this.generations = generations;
    this.clock = clock;
    this.freshness = Timer.builder("brain_document_freshness")
        .description("from a document's produce time to this instance answering at the generation that holds it"
            + " (the oldest document of each generation)")
        .publishPercentileHistogram().register(registry);
    registry.gauge("brain_index_generation", generations, GenerationClock::current);
    StatefulRedisPubSubConnection<String, String> connection = null;
    try {
      connection = client.connectPubSub();
      connection.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          try {
            observe(GenerationNotice.fromJson(message));
          } catch (IOException ignored) {
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
    redis.generation().ifPresent(this::observe);
  }

  /** The most generations a missed run is read back for. */
  private static final int GAP_READ = 64;

  private synchronized void observe(GenerationNotice notice) {
    long known = generations.current();
    List<GenerationNotice> missed = List.of();
    boolean unread = false;
    if (known > 0 && notice.generation() > known + 1) {
      // notices were missed (a reconnect, or the poll saw only the newest): what they changed is
      // read back, so the windows of the generations before can still be judged
      List<Long> gap = new ArrayList<>();
      for (long g = Math.max(known + 1, notice.generation() - GAP_READ); g < notice.generation(); g++) {
        gap.add(g);
      }
      missed = redis.notices(gap);
      unread = missed.size() < notice.generation() - known - 1;
    }
    // a reindex's switch announces a generation that lists no changes: only then (or when notices were
    // lost, or at the first generation this instance sees) is the hook run, before the generation is taken in
    if (notice.generation() > known && (known == 0 || unread || !notice.listsChanges()
        || missed.stream().anyMatch(n -> !n.listsChanges()))) {
      beforeUnlistedGeneration.run();
    }
    long learnt = clock.getAsLong();
    missed.forEach(n -> generations.observe(n, learnt));
    long now = clock.getAsLong();
    if (generations.observe(notice, now) && notice.oldestProducedAt() > 0) {
      freshness.record(Math.max(0, now - notice.oldestProducedAt()), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
    if (pubsub != null) {
      pubsub.close();
    }
  }
}
