package dev.companionbrain.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes one latency event per request to topic {@code search.latency}. The request thread only
 * offers the event to a bounded queue; a background thread hands it to Kafka. When Kafka is slow or
 * away and the queue is full, events are dropped and counted ({@code brain_latency_events_dropped}),
 * never waited for.
 */
final class LatencyReporter implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final BlockingQueue<Map<String, Object>> queue = new ArrayBlockingQueue<>(10_000);
  private final KafkaProducer<String, String> producer;
  private final String topic;
  private final Thread sender;
  private final Counter dropped;
  private final Counter published;
  private volatile boolean running = true;

  LatencyReporter(String bootstrapServers, String topic, MeterRegistry registry) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "1");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 50);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000);
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 8L * 1024 * 1024);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    this.producer = new KafkaProducer<>(p);
    this.topic = topic;
    this.dropped = Counter.builder("brain_latency_events_dropped").register(registry);
    this.published = Counter.builder("brain_latency_events_published").register(registry);
    this.sender = new Thread(this::send, "latency-reporter");
    sender.setDaemon(true);
    sender.start();
  }

  void report(String endpoint, String mode, String cache, int status, double tookMs, Map<String, Long> backends) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("endpoint", endpoint);
    event.put("mode", mode);
    event.put("cache", cache);
    event.put("status", status);
    event.put("took_ms", tookMs);
    event.put("backends", backends);
    event.put("timestamp", System.currentTimeMillis());
    if (!queue.offer(event)) {
      dropped.increment();
    }
  }

  private void send() {
    while (running || !queue.isEmpty()) {
      try {
        Map<String, Object> event = queue.poll(200, TimeUnit.MILLISECONDS);
        if (event == null) {
          continue;
        }
        String key = event.get("endpoint") + ":" + event.get("mode");
        producer.send(new ProducerRecord<>(topic, key, JSON.writeValueAsString(event)), (meta, error) -> {
          if (error == null) {
            published.increment();
          } else {
            dropped.increment();
          }
        });
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        dropped.increment();
      }
    }
  }

  @Override
  public void close() {
    running = false;
    try {
      sender.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(java.time.Duration.ofSeconds(2));
  }
}
