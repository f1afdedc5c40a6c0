package dev.companionbrain.query;

import dev.companionbrain.core.cache.WarmRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Computes the popular windows the cache warming job asks for after each new generation (topic
 * {@code cache.warm}) and puts them in both cache levels, so every instance, a fresh one included,
 * finds them in L2. The instances share the records through one consumer group; a record whose
 * window is already there at its generation costs one L2 read, and a record of a generation already
 * superseded is skipped (the newer generation's records follow), so a backlog never computes a window twice. Starts at the newest records: what
 * was asked before this instance started is another instance's business or already stale.
 */
final class WarmConsumer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WarmConsumer.class);
  private final KafkaConsumer<String, byte[]> consumer;
  private final WindowCache cache;
  private final Thread thread;
  private final Counter computed;
  private final Counter present;
  private final Counter refused;
  private final Counter failed;
  private final Counter superseded;
  private final GenerationClock generations;
  private volatile boolean running = true;

  WarmConsumer(String bootstrapServers, String topic, String group, WindowCache cache, GenerationClock generations,
      MeterRegistry registry) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    this.consumer = new KafkaConsumer<>(p);
    this.cache = cache;
    this.generations = generations;
    superseded = Counter.builder("brain_cache_warmed").tag("result", "superseded").register(registry);
    computed = Counter.builder("brain_cache_warmed").tag("result", "computed").register(registry);
    present = Counter.builder("brain_cache_warmed").tag("result", "present").register(registry);
    refused = Counter.builder("brain_cache_warmed").tag("result", "refused").register(registry);
    failed = Counter.builder("brain_cache_warmed").tag("result", "failed").register(registry);
    consumer.subscribe(List.of(topic));
    this.thread = new Thread(this::run, "cache-warmer");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          warm(record.value());
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.warn("cache warming stopped: {}", e.toString());
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private void warm(byte[] value) {
    WarmRequest request;
    try {
      request = WarmRequest.fromJson(value);
    } catch (IOException e) {
      refused.increment(); // not ours to fix: the producer's record is wrong; it is skipped
      return;
    }
    if (request.generation() < generations.current()) {
      // a newer generation came while this one waited: its own requests follow, this would be computed twice
      superseded.increment();
      return;
    }
    try {
      (cache.warm(request.window(), request.generation()) ? computed : present).increment();
    } catch (RuntimeException e) {
      failed.increment(); // an engine away: the window is computed by the first request that needs it
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(3000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
