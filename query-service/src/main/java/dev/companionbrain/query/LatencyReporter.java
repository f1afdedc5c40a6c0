package dev.companionbrain.query;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
  /** Events waiting for the sender thread; more are dropped. */
  static final int QUEUE_CAPACITY = 10_000;
  /** Events the sender thread takes from the queue at once. */
  static final int MAX_BATCH = 1024;
  /** How long the sender thread sleeps when the queue is empty. */
  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private final BlockingQueue<String[]> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
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
    // at thousands of searches a second, 64 KB batches make a few produce requests a second instead of hundreds
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
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
    // endpoint, mode, cache level and retriever names are the service's own fixed words: no escaping needed
    StringBuilder json = new StringBuilder(160).append("{\"endpoint\":\"").append(endpoint)
        .append("\",\"mode\":\"").append(mode).append("\",\"cache\":\"").append(cache)
        .append("\",\"status\":").append(status).append(",\"took_ms\":");
    Decimals.append(json, tookMs, 3).append(",\"backends\":{");
    boolean first = true;
    for (Map.Entry<String, Long> b : backends.entrySet()) {
      json.append(first ? "" : ",").append('"').append(b.getKey()).append("\":").append(b.getValue());
      first = false;
    }
    json.append("},\"timestamp\":").append(System.currentTimeMillis()).append('}');
    if (!queue.offer(new String[] {endpoint + ":" + mode, json.toString()})) {
      dropped.increment();
    }
  }

  /**
   * Hands queued events to the producer in batches. It polls rather than blocking on the queue: a
   * consumer waiting on the queue would have every request's {@code offer} wake it (a system call per
   * search); events wait at most {@link #IDLE_PARK_NANOS} more, next to the producer's 50 ms linger.
   */
  private void send() {
    List<String[]> batch = new ArrayList<>(MAX_BATCH);
    while (running || !queue.isEmpty()) {
      batch.clear();
      queue.drainTo(batch, MAX_BATCH);
      if (batch.isEmpty()) {
        LockSupport.parkNanos(IDLE_PARK_NANOS);
        if (Thread.interrupted()) {
          return;
        }
        continue;
      }
      for (String[] event : batch) {
        try {
          producer.send(new ProducerRecord<>(topic, event[0], event[1]), (meta, error) -> {
            if (error == null) {
              published.increment();
            } else {
              dropped.increment();
            }
          });
        } catch (Exception e) {
          dropped.increment();
        }
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
