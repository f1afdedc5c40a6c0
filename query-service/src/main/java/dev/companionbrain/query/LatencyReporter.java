package dev.companionbrain.query;

import dev.companionbrain.core.telemetry.LatencyEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes one latency event per request (a multi-search is one) to topic {@code search.latency}. The request thread only
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
  private final BlockingQueue<LatencyEvent> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final Producer<String, byte[]> producer;
  private final String topic;
  private final Thread sender;
  private final Counter dropped;
  private final Counter published;
  private volatile boolean running = true;

  LatencyReporter(Producer<String, byte[]> producer, String topic, MeterRegistry registry) {
    this.producer = producer;
    this.topic = topic;
    this.dropped = Counter.builder("brain_latency_events_dropped").register(registry);
    this.published = Counter.builder("brain_latency_events_published").register(registry);
    this.sender = new Thread(this::send, "latency-reporter");
    sender.setDaemon(true);
    sender.start();
  }

  /** The producer the latency events are sent with: small batches, never blocking a request for long. */
  static Producer<String, byte[]> producer(String bootstrapServers) {
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
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  /** Offers {@code event} to the sender thread, which writes its JSON; dropped and counted when the queue is full. */
  void report(LatencyEvent event) {
    if (!queue.offer(event)) {
      dropped.increment();
    }
  }

  /**
   * Hands queued events to the producer in batches. It polls rather than blocking on the queue: a
   * consumer waiting on the queue would have every request's {@code offer} wake it (a system call per
   * search); events wait at most {@link #IDLE_PARK_NANOS} more, next to the producer's 50 ms linger.
   */
  private void send() {
    List<LatencyEvent> batch = new ArrayList<>(MAX_BATCH);
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
      List<byte[]> json;
      try {
        json = LatencyEvent.toJson(batch);
      } catch (RuntimeException e) {
        dropped.increment(batch.size());
        continue;
      }
      for (int i = 0; i < batch.size(); i++) {
        LatencyEvent event = batch.get(i);
        try {
          producer.send(new ProducerRecord<>(topic, event.endpoint() + ":" + event.mode(), json.get(i)), (meta, error) -> {
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
