package dev.companionbrain.cli;

import dev.companionbrain.core.config.Setting;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.relevance.CollectionDocument;
import dev.companionbrain.core.relevance.TestCollection;
import dev.companionbrain.core.relevance.TestCollections;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Pushes documents into topic {@code documents}: JSON lines as they are (key = their id; a line that
 * is not valid JSON is sent too, so the pipeline dead-letters it with a reason), or a whole test
 * collection (SMART like Cranfield, or BEIR) converted to documents.
 */
@Command(name = "ingest", description = "Push documents (JSON lines, or a test collection) into Kafka, with progress.")
final class Ingest implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(paramLabel = "FILE", arity = "0..*", description = "JSON-lines files, one document per line")
  List<Path> files = new ArrayList<>();

  @Option(names = "--collection", paramLabel = "DIR", description = "a SMART (e.g. ../shared/data/cranfield) or BEIR collection folder")
  Path collection;

  @Option(names = "--kafka", description = "bootstrap servers (default: the running ./brain up, or BRAIN_KAFKA_BOOTSTRAP_SERVERS)")
  String kafka;

  @Option(names = "--topic", description = "topic (default: documents)")
  String topic;

  @Option(names = "--tag", description = "extra tag added to every document of a collection (a namespace)")
  String tag;

  @Override
  public Integer call() throws Exception {
    if (files.isEmpty() && collection == null) {
      System.err.println("nothing to ingest: give JSON-lines files or --collection DIR");
      return 2;
    }
    for (Path f : files) {
      if (!Files.isReadable(f)) {
        System.err.println("cannot read " + f);
        return 2;
      }
    }
    String bootstrap = kafka != null ? kafka : RunningStack.require(Setting.KAFKA_BOOTSTRAP_SERVERS, "kafka");
    String target = topic != null ? topic : RunningStack.get(Setting.DOCUMENTS_TOPIC, "documents_topic").orElse(Setting.DOCUMENTS_TOPIC.defaultValue());
    try (DocumentPublisher publisher = new DocumentPublisher(bootstrap, target)) {
      if (collection != null) {
        TestCollection c = TestCollections.read(collection);
        try (ProgressBar bar = bar("collection " + c.name(), c.documents().size())) {
          for (CollectionDocument d : c.documents()) {
            publisher.send(d.id(), collectionDocumentJson(d, tag));
            bar.step();
          }
          publisher.flush();
        }
      }
      for (Path f : files) {
        long lines;
        try (var stream = Files.lines(f, StandardCharsets.UTF_8)) {
          lines = stream.filter(l -> !l.isBlank()).count();
        }
        try (ProgressBar bar = bar(f.getFileName().toString(), lines);
            BufferedReader reader = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
          String line;
          while ((line = reader.readLine()) != null) {
            if (line.isBlank()) {
              continue;
            }
            publisher.send(idOf(line), line);
            bar.step();
          }
          publisher.flush();
        }
      }
      System.out.printf("sent %d records to %s (%d failed)%n", publisher.sent(), target, publisher.failed());
      return publisher.failed() == 0 ? 0 : 1;
    }
  }

  private static ProgressBar bar(String name, long total) {
    return new ProgressBarBuilder().setTaskName(name).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(200).build();
  }

  static String idOf(String line) {
    try {
      JsonNode node = JSON.readTree(line);
      JsonNode id = node == null ? null : node.get("id");
      return id != null && id.isTextual() ? id.asText() : null;
    } catch (Exception e) {
      return null; // sent without a key: the pipeline dead-letters it as malformed
    }
  }

  static String collectionDocumentJson(CollectionDocument d, String tag) throws Exception {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("op", "upsert");
    doc.put("id", d.id());
    doc.put("title", d.title());
    doc.put("body", d.body());
    doc.put("tags", tag == null ? List.of() : List.of(tag));
    return JSON.writeValueAsString(doc);
  }

  /** An async Kafka producer that counts what was acknowledged and what failed. */
  static final class DocumentPublisher implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    DocumentPublisher(String bootstrap, String topic) {
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
      p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
      p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      producer = new KafkaProducer<>(p);
      this.topic = topic;
    }

    void send(String key, String value) {
      producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
          value.getBytes(StandardCharsets.UTF_8)), (meta, error) -> {
            if (error == null) {
              sent.incrementAndGet();
            } else {
              failed.incrementAndGet();
            }
          });
    }

    void flush() {
      producer.flush();
    }

    long sent() {
      return sent.get();
    }

    long failed() {
      return failed.get();
    }

    @Override
    public void close() {
      producer.close();
    }
  }
}
